"""The matters: one folder each (BPMN, forms, manifest), read through ``processes.catalogue``."""
