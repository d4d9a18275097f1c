/**
 * The frame layer of the PostgreSQL v3 wire protocol: decoders that cut the byte streams of both
 * sides of the proxy into frames (a type byte and a retained, zero-copy slice of the payload), the
 * startup-phase packets, and small helpers to write and read the few messages the proxy itself must
 * produce or look into. Everything else is forwarded untouched, so nothing here parses a message it
 * does not need to.
 */
package io.pgtrickle.server.protocol;
