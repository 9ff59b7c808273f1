"""The approval engine: BPMN definitions, instances, tasks, audit and outbox.

Public entry points live in ``engine.services``; ``engine.context`` holds the
collaborators (database, spec cache, workflow cache, forms) that a caller
builds once and passes to every service.
"""
