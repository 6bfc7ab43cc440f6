/** validator. */
package dev.sinkfix.validator;
