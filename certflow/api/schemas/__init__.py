"""The API's schemas, one module per resource.

The same models validate requests, shape the answers and write the OpenAPI document.
"""
