/** samples. */
package dev.sinkfix.samples;
