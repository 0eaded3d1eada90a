"""The inference engine: rule loading, compilation onto durable-rules, execution, trace and explanation."""
