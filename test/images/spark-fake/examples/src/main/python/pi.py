# Placeholder for Spark's pi.py example; the fake spark-submit recognises the name and prints Pi.
