package dev.sinkfix.cli.run;

import dev.sinkfix.runtime.generate.GenerationListener;
import dev.sinkfix.runtime.text.TextStream;
import dev.sinkfix.runtime.text.TextTokenizer;
import java.io.PrintWriter;

/** Prints the tokens of row 0 as they come: as text where there is a tokenizer, else as ids. */
public final class TokenPrinter implements GenerationListener {
    private final PrintWriter out;
    private final TextStream text;
    private boolean first = true;

    public TokenPrinter(PrintWriter out, TextTokenizer tokenizer, long lastPromptToken) {
        this.out = out;
        this.text = tokenizer == null ? null : new TextStream(tokenizer, lastPromptToken);
    }

    @Override
    public void token(int row, long token) {
        if (row != 0) {
            return;
        }
        if (text != null) {
            out.print(text.push(token));
        } else {
            out.print((first ? "" : " ") + token);
        }
        first = false;
        out.flush();
    }

    /** Ends the streamed line; returns the whole text, or null without a tokenizer. */
    public String finish() {
        if (text != null) {
            out.print(text.finish());
        }
        out.println();
        out.flush();
        return text == null ? null : text.text();
    }
}
