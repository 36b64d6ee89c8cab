"""All SQL of the console: the contract schema, reads scoped by `Scope`, writes by `Actor`.

No Streamlit import anywhere in this package.
"""
