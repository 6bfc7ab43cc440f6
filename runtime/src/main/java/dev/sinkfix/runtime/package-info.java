/** runtime. */
package dev.sinkfix.runtime;
