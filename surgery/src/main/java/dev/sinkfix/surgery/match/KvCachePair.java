package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Value;

/** The cache of one layer: what the caller feeds back ({@code past*}) and what the model returns ({@code present*}). */
public record KvCachePair(int layer, Value pastKey, Value pastValue, Value presentKey, Value presentValue) {
}
