package dev.sinkfix.runtime.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.sinkfix.surgery.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Text to token ids and back through a model folder's {@code tokenizer.json}, with Hugging Face's
 * own tokenizers library (Rust, through DJL's JNI binding). The native library comes out of the
 * jar, which carries it for linux-x86_64, linux-aarch64, macOS on arm and Windows, into DJL's
 * cache folder ({@code ~/.djl.ai}, or {@code DJL_CACHE_DIR}); nothing is downloaded.
 */
public final class TextTokenizer implements AutoCloseable {
    /**
     * DJL's defaults truncate to 512 tokens and pad: a long prompt (1000 repeated tokens) must come
     * through whole.
     */
    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer) {
        this.file = file;
        this.tokenizer = tokenizer;
    }

    /**
     * Opens {@code tokenizer.json}.
     *
     * @throws BadInputException when it cannot be read or parsed
     */
    public static TextTokenizer open(Path tokenizerJson) {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new BadInputException("no tokenizer at " + tokenizerJson);
        }
        quietAndOffline();
        try {
            return new TextTokenizer(tokenizerJson, HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS));
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("cannot read the tokenizer " + tokenizerJson + ": " + e.getMessage());
        }
    }

    /**
     * DJL would otherwise ask the EC2 metadata address whether it runs on AWS, for its telemetry
     * (up to three one-second timeouts where nothing answers), and SLF4J would print three lines
     * of warnings about a missing logger. Users who set these themselves keep their values.
     */
    private static synchronized void quietAndOffline() {
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
    }

    public Path file() {
        return file;
    }

    /** Ids of {@code text} with the special tokens the tokenizer adds (Llama's BoS). */
    public long[] encode(String text) {
        return tokenizer.encode(text, true, false).getIds();
    }

    /** Ids of {@code text} alone, without BoS or other added tokens. */
    public long[] encodePlain(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** Text of {@code ids}, special tokens left out. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    /** The id that {@link #encode} puts first, where it adds one (a BoS token). */
    public OptionalLong bosId() {
        long[] empty = encode("");
        return empty.length > 0 ? OptionalLong.of(empty[0]) : OptionalLong.empty();
    }

    /** The id of {@code token} where the text is exactly one token (a special token such as {@code </s>}). */
    public OptionalLong idOf(String token) {
        long[] ids = encodePlain(token);
        return ids.length == 1 ? OptionalLong.of(ids[0]) : OptionalLong.empty();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
