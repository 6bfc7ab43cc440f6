package dev.sinkfix.runtime.text;

import java.util.Arrays;

/**
 * Turns generated ids into text as they come. A token alone often does not decode to its part of
 * the text: SentencePiece drops the leading space of a sequence, and a character may be split
 * over several byte tokens. So each push decodes everything so far after one token of context and
 * hands out only the new text, holding back an incomplete character (its bytes
 * decode to replacement characters until the last one comes).
 */
public final class TextStream {
    private static final char REPLACEMENT = '\uFFFD';
    private final TextTokenizer tokenizer;
    private long[] ids;
    private final int context;
    private int emitted;

    /** @param lastPromptToken the prompt's last id, so the first new token keeps its leading space; -1 for none */
    public TextStream(TextTokenizer tokenizer, long lastPromptToken) {
        this.tokenizer = tokenizer;
        this.ids = lastPromptToken >= 0 ? new long[] {lastPromptToken} : new long[0];
        this.context = lastPromptToken >= 0 ? tokenizer.decode(ids).length() : 0;
    }

    /** Adds a token; returns the text that is now certain, possibly "". */
    public String push(long token) {
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = token;
        String text = tokenizer.decode(ids);
        int end = text.length();
        while (end > context + emitted && text.charAt(end - 1) == REPLACEMENT) {
            end--;
        }
        return take(text, end);
    }

    /** Whatever is still held back (an incomplete character, as the replacement character). */
    public String finish() {
        String text = tokenizer.decode(ids);
        return take(text, text.length());
    }

    /** Everything generated, as text. */
    public String text() {
        String text = tokenizer.decode(ids);
        return text.length() >= context ? text.substring(context) : text;
    }

    private String take(String text, int end) {
        int from = context + emitted;
        if (end <= from) {
            return "";
        }
        emitted = end - context;
        return text.substring(from, end);
    }
}
