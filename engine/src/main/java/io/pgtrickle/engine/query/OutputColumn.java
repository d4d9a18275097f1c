package io.pgtrickle.engine.query;

/**
 * A column of a query's result.
 *
 * @param type the type as {@code format_type} prints it, typmod included ({@code numeric(10,2)})
 */
public record OutputColumn(String name, String type) {}
