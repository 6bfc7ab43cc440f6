package dev.sinkfix.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The configuration file real exports carry beside the model, which is where the family is
 * written down: {@code genai_config.json} for the genai builder, the Hugging Face
 * {@code config.json} for torch exports. Only the fields a reader of this tool looks at.
 */
final class ExporterConfig {
    private ExporterConfig() {
    }

    static void write(SampleSpec spec, Path dir) throws IOException {
        String type = spec.family().name().toLowerCase(Locale.ROOT);
        if (spec.style() == ExportStyle.GENAI) {
            Files.writeString(dir.resolve("genai_config.json"), String.format(Locale.ROOT, """
                    {
                        "model": {
                            "type": "%s",
                            "vocab_size": %d,
                            "decoder": {
                                "num_hidden_layers": %d,
                                "hidden_size": %d,
                                "num_attention_heads": %d,
                                "num_key_value_heads": %d,
                                "head_size": %d
                            }
                        }
                    }
                    """, type, spec.vocab(), spec.layers(), spec.hidden(), spec.heads(), spec.kvHeads(), spec.headDim()));
        } else {
            String arch = spec.family() == Family.MISTRAL ? "MistralForCausalLM" : "LlamaForCausalLM";
            Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT, """
                    {
                        "architectures": ["%s"],
                        "model_type": "%s",
                        "hidden_size": %d,
                        "intermediate_size": %d,
                        "num_hidden_layers": %d,
                        "num_attention_heads": %d,
                        "num_key_value_heads": %d,
                        "vocab_size": %d
                    }
                    """, arch, type, spec.hidden(), spec.intermediate(), spec.layers(), spec.heads(), spec.kvHeads(),
                    spec.vocab()));
        }
    }
}
