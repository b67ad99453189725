"""The national-scale benchmark (``make bench``): data generator, server runner, load generator, results.

``python -m bench.run --scale 0.01`` generates two PostgreSQL databases (100,000 × SCALE
applications, and a hundredth of that), serves each with gunicorn, drives it from a separate
load-generator process, measures the workflow engine in process, prints a table and writes
``bench/results.json``. Nothing here is imported by the application in production.
"""
