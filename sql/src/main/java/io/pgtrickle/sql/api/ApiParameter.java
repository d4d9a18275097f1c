package io.pgtrickle.sql.api;

import java.util.Objects;

/**
 * One parameter of an API function.
 *
 * @param name the canonical (lower-case) parameter name, usable in named notation
 * @param type the parameter's SQL type
 * @param required whether the parameter has no default, so every call must supply it
 * @param defaultValue the default as a Java value (String for TEXT, Boolean for BOOL) or null
 */
public record ApiParameter(String name, ParamType type, boolean required, Object defaultValue) {
  public ApiParameter {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (required && defaultValue != null) {
      throw new IllegalArgumentException(name + ": a required parameter has no default");
    }
    Class<?> expected = type == ParamType.TEXT ? String.class : Boolean.class;
    if (defaultValue != null && !expected.isInstance(defaultValue)) {
      throw new IllegalArgumentException(name + ": default must be a " + expected.getSimpleName());
    }
  }

  /** A parameter without a default. */
  static ApiParameter required(String name, ParamType type) {
    return new ApiParameter(name, type, true, null);
  }

  /** A parameter with a default, which may be SQL NULL. */
  static ApiParameter optional(String name, ParamType type, Object defaultValue) {
    return new ApiParameter(name, type, false, defaultValue);
  }
}
