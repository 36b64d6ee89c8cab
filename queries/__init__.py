"""All SQL of the console: the contract schema, reads scoped by `Scope`, writes by `Actor`.

No Streamlit import anywhere in this package.
"""

# Every process that imports a write also raises the cache generations of what it
# announces (queries.core.invalidation.record_with), so other app processes see it.
import queries.console.cache_generations  # noqa: F401
