"""The establishment register (机构编制实名制) and the rules computed on it."""
