"""The CCC-quality questionnaire as data, and the code that loads, exports and reads responses against it."""
