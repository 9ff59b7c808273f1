"""人编经费比对整改 (a finding of the comparison, rectified by its unit)."""
