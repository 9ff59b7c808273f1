"""The official documents (文书): their kinds and templates, rendering to PDF/A,
issuance through the outbox (gap-free 文号, sealed and signed by the issuing
department), and the records people list, download and verify. The PDF and
crypto work itself is the pure ``signatures`` library's."""
