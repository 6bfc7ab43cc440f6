/** cli. */
package dev.sinkfix.cli;
