package io.pgtrickle.engine.cdc;

/**
 * A column of a source table as its change buffer repeats it.
 *
 * @param type the type with its typmod, as {@code format_type} prints it
 * @param collation the quoted collation when it differs from the type's default, else null
 */
public record SourceColumn(String name, String type, String collation) {}
