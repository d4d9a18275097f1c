/**
 * The one exception type every component throws and the SQLSTATE codes it may carry. Kept in the
 * bottom module so that the parser, the engine, the driver and the proxy report errors alike.
 */
package io.pgtrickle.errors;
