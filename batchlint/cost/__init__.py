"""Cost: price sources beyond the bundled snapshot, and the estimates built on them.

``estimate`` is the cost model (ranges, floors, ceilings, per-job figures), ``fit`` places a
job on EC2 instance types, ``usage`` reads the optional usage file, ``live`` answers price
questions from the AWS Price List API. Nothing here is imported at package import time.
"""
