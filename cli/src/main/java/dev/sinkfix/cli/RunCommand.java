package dev.sinkfix.cli;

import dev.sinkfix.cli.run.PrefillProgress;
import dev.sinkfix.cli.run.RunReport;
import dev.sinkfix.cli.run.TokenPrinter;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.FullPass;
import dev.sinkfix.runtime.generate.Generation;
import dev.sinkfix.runtime.generate.GenerationConfig;
import dev.sinkfix.runtime.generate.GenerationListener;
import dev.sinkfix.runtime.generate.Generator;
import dev.sinkfix.runtime.generate.Sampling;
import dev.sinkfix.runtime.text.ModelFolder;
import dev.sinkfix.runtime.text.SpecialIds;
import dev.sinkfix.runtime.text.TextTokenizer;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code run MODEL (--prompt TEXT | --ids ID,... | --repeat TOKEN --count N)}: generates with the
 * model under ONNX Runtime, on CUDA where it works, streaming the tokens as they come, then says
 * how long the prefill and each decode step took and where it ran. A model whose cache protocol
 * the generator does not know gets one full-sequence pass and a warning that says why.
 */
@Command(name = "run",
        description = {"Generate with a model under ONNX Runtime (CUDA where it works, else the CPU): prefill the "
                + "prompt, then decode token by token with the KV cache and any sink state threaded between calls.",
                "Streams the new text (or ids, without tokenizer.json beside the model), then prints the prompt "
                        + "length, prefill time, median decode latency, tokens per second and the provider."})
public final class RunCommand implements Callable<Integer> {
    /** A prefill shorter than this shows no progress line. */
    private static final long PROGRESS_DELAY_MILLIS = 1000;

    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "The model's .onnx file, or its folder (with tokenizer.json and genai_config.json when there are).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the prompt comes from: exactly one of these. */
    static final class Source {
        @Option(names = "--prompt", paramLabel = "TEXT",
                description = "Prompt text, encoded with the model folder's tokenizer.json (BoS added as it says).")
        String prompt;

        @Option(names = "--ids", split = ",", paramLabel = "ID", description = "Prompt token ids, comma-separated.")
        List<Long> ids;

        @ArgGroup(exclusive = false)
        Repeat repeat;
    }

    /** {@code --repeat TOKEN --count N}: BoS, then one token N times (the poster's failure case). */
    static final class Repeat {
        @Option(names = "--repeat", required = true, paramLabel = "TOKEN",
                description = "A token id, or text that is one token, to repeat after BoS (with --count).")
        String token;

        @Option(names = "--count", required = true, paramLabel = "N", description = "How many times to repeat it.")
        int count;
    }

    @Option(names = "--max-new-tokens", defaultValue = "32", paramLabel = "N",
            description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T",
            description = "0 (default) is greedy; above 0, sample from the scores divided by T.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K",
            description = "Sample among the K best tokens only (default 0: all).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P",
            description = "Sample among the fewest best tokens whose probability reaches P (default 1: all).")
    double topP;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed for sampling: the same seed gives the same tokens (default: a random one, printed).")
    Long seed;

    @Option(names = "--stop", split = ",", paramLabel = "ID",
            description = "Token ids that end generation (default: the tokenizer's or genai_config.json's EoS).")
    List<Long> stop;

    @Option(names = "--json", description = "Print one JSON document (schema onnx-sinkfix/run/1) instead of streaming.")
    boolean json;

    /** What one run works with, once the options are checked. */
    private record Job(ModelFolder folder, TextTokenizer tokenizer, SpecialIds special, long[] prompt,
                       GenerationConfig config, List<String> notes) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelFolder folder = ModelFolder.of(model);
        ModelLoader.requireRunnable(folder.model()); // a graph-only or escaping data file: exit 2, naming it
        GenerationConfig config = config();
        try (TextTokenizer tokenizer = openTokenizer(folder, err)) {
            SpecialIds special = SpecialIds.resolve(folder, Optional.ofNullable(tokenizer));
            long[] prompt = prompt(tokenizer, special);
            checkContext(folder, prompt.length);
            config = config.withStopTokens(stop != null ? new HashSet<>(stop) : special.stops());
            Job job = new Job(folder, tokenizer, special, prompt, config, notes(special));
            SessionConfig sessionConfig = SessionConfig.defaults().withDevice(device.device());
            try (ModelSession session = Sessions.open(folder.model(), sessionConfig, w -> warn(err, w))) {
                checkVocabulary(session, prompt);
                Generator generator = new Generator(session);
                RunReport report = generator.canGenerate() ? generate(generator, session, job, out, err)
                        : fullPass(generator, session, job, err);
                if (json) {
                    out.println(report.toJson());
                } else {
                    report.printSummary(out);
                }
                out.flush();
            }
        }
        return ExitCodes.OK;
    }

    private RunReport generate(Generator generator, ModelSession session, Job job, PrintWriter out, PrintWriter err)
            throws Exception {
        long[] prompt = job.prompt();
        TokenPrinter printer = json ? null : new TokenPrinter(out, job.tokenizer(), prompt[prompt.length - 1]);
        try (PrefillProgress progress = System.console() != null ? new PrefillProgress(err, PROGRESS_DELAY_MILLIS) : null) {
            Generation generation = generator.generate(prompt, job.config(), listeners(progress, printer));
            String text;
            if (printer != null) {
                text = printer.finish();
                out.println();
            } else {
                text = job.tokenizer() == null ? null : job.tokenizer().decode(generation.tokens(0));
            }
            return report(session, job, generation, null, null, text);
        }
    }

    /** A model that cannot generate: say why, and run the one pass it can. */
    private RunReport fullPass(Generator generator, ModelSession session, Job job, PrintWriter err) throws Exception {
        String reason = generator.unavailableReason().orElseThrow();
        warn(err, reason + "; ran one full-sequence pass instead");
        FullPass pass = generator.fullPass(job.prompt());
        String text = job.tokenizer() == null ? null : job.tokenizer().decode(new long[] {pass.nextToken()});
        return report(session, job, null, pass, reason, text);
    }

    private RunReport report(ModelSession session, Job job, Generation generation, FullPass pass, String unavailable,
                             String text) {
        SpecialIds special = job.special();
        return new RunReport(job.folder().model(), session.provider(), session.fallbackReason(), promptSource(),
                job.prompt(), special.bos(), special.bosSource(), job.config().stopTokens(),
                stop != null ? "--stop" : special.stopSource(), job.config().sampling(), generation, pass, unavailable,
                text, job.notes());
    }

    private List<String> notes(SpecialIds special) {
        List<String> notes = new ArrayList<>();
        special.bosNote().ifPresent(notes::add);
        if (stop == null) {
            special.stopNote().ifPresent(notes::add);
        }
        if (temperature == 0 && (topK != 0 || topP != 1 || seed != null)) {
            notes.add("--top-k, --top-p and --seed apply to sampling only; --temperature 0 is greedy");
        }
        return notes;
    }

    private static GenerationListener listeners(GenerationListener first, GenerationListener second) {
        List<GenerationListener> all = new ArrayList<>();
        if (first != null) {
            all.add(first);
        }
        if (second != null) {
            all.add(second);
        }
        return new GenerationListener() {
            @Override
            public void prefillStarted(int rows, int tokens) {
                all.forEach(l -> l.prefillStarted(rows, tokens));
            }

            @Override
            public void prefillFinished(long nanos) {
                all.forEach(l -> l.prefillFinished(nanos));
            }

            @Override
            public void token(int row, long token) {
                all.forEach(l -> l.token(row, token));
            }
        };
    }

    private GenerationConfig config() {
        if (maxNewTokens < 1) {
            throw new BadInputException("--max-new-tokens must be 1 or more, got " + maxNewTokens);
        }
        try {
            Sampling sampling = temperature == 0 ? Sampling.GREEDY : Sampling.seeded(temperature, topK, topP,
                    seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 48));
            return GenerationConfig.greedy(maxNewTokens).withSampling(sampling);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage().replace("temperature", "--temperature")
                    .replace("top-k", "--top-k").replace("top-p", "--top-p"));
        }
    }

    /** The folder's tokenizer: required for text prompts, else used for text output when it loads. */
    private TextTokenizer openTokenizer(ModelFolder folder, PrintWriter err) {
        Optional<Path> file = folder.tokenizerJson();
        if (source.prompt != null) {
            if (file.isEmpty()) {
                throw new BadInputException("--prompt needs a tokenizer.json beside the model, and "
                        + folder.model().toAbsolutePath().getParent() + " has none; give token ids with --ids instead");
            }
            return TextTokenizer.open(file.get());
        }
        if (file.isEmpty()) {
            return null;
        }
        try {
            return TextTokenizer.open(file.get());
        } catch (BadInputException e) {
            warn(err, e.getMessage() + "; printing token ids");
            return null;
        }
    }

    private long[] prompt(TextTokenizer tokenizer, SpecialIds special) {
        if (source.prompt != null) {
            long[] ids = tokenizer.encode(source.prompt);
            if (ids.length == 0) {
                throw new BadInputException("--prompt encodes to no tokens; give some text");
            }
            return ids;
        }
        if (source.ids != null) {
            if (source.ids.isEmpty()) {
                throw new BadInputException("--ids is empty; give at least one token id");
            }
            return source.ids.stream().mapToLong(Long::longValue).toArray();
        }
        Repeat repeat = source.repeat;
        if (repeat.count < 0) {
            throw new BadInputException("--count must be 0 or more, got " + repeat.count);
        }
        long token = repeatedToken(repeat.token, tokenizer);
        long[] ids = new long[repeat.count + 1];
        Arrays.fill(ids, token);
        ids[0] = special.bos();
        return ids;
    }

    private static long repeatedToken(String text, TextTokenizer tokenizer) {
        if (text.strip().matches("\\d+")) {
            return Long.parseLong(text.strip());
        }
        if (tokenizer == null) {
            throw new BadInputException("--repeat '" + text + "' is not a token id, and without a tokenizer.json beside "
                    + "the model text cannot be turned into one");
        }
        OptionalLong id = tokenizer.idOf(text);
        if (id.isEmpty()) {
            throw new BadInputException("--repeat '" + text + "' is " + tokenizer.encodePlain(text).length
                    + " tokens " + Arrays.toString(tokenizer.encodePlain(text)) + "; give one token, or its id");
        }
        return id.getAsLong();
    }

    private void checkContext(ModelFolder folder, int promptLength) {
        OptionalLong context = folder.contextLength();
        if (context.isPresent() && promptLength + (long) maxNewTokens > context.getAsLong()) {
            throw new BadInputException("a prompt of " + promptLength + " tokens and " + maxNewTokens + " new tokens "
                    + "need " + (promptLength + maxNewTokens) + " positions, but the model's context length is "
                    + context.getAsLong() + " (" + folder.contextLengthSource() + ")");
        }
    }

    private static void checkVocabulary(ModelSession session, long[] prompt) {
        IoSpec logits = session.outputs().stream().filter(o -> o.name().equals("logits")).findFirst().orElse(null);
        if (logits == null || logits.rank() == 0 || logits.shape()[logits.rank() - 1] <= 0) {
            return;
        }
        long vocab = logits.shape()[logits.rank() - 1];
        for (long id : prompt) {
            if (id < 0 || id >= vocab) {
                throw new BadInputException("token id " + id + " is outside the model's vocabulary of " + vocab
                        + " (0 to " + (vocab - 1) + ")");
            }
        }
    }

    private String promptSource() {
        return source.prompt != null ? "text" : source.ids != null ? "ids" : "repeat";
    }

    private static void warn(PrintWriter err, String line) {
        err.println("onnx-sinkfix: warning: " + line.replaceAll("\\s*\\R\\s*", " "));
        err.flush();
    }
}
