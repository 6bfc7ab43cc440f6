package dev.sinkfix.cli;

import dev.sinkfix.cli.validate.ClampValidateOutput;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.text.BosChoice;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.validator.clamp.ClampReport;
import dev.sinkfix.validator.clamp.ClampValidation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** {@code validate} on a model whose metadata records clamp mode: clamp's invariants instead of replay's. */
final class ClampValidate {
    private ClampValidate() {
    }

    static int run(ValidateCommand c, PrintWriter out, PrintWriter err) throws Exception {
        if (c.layer != null || c.neurons != null) {
            throw new BadInputException("--layer/--neurons describe a replay patch made by another tool; a clamp patch "
                    + "is read from its sinkfix.* metadata");
        }
        BosChoice start = BosChoice.resolve(c.original, c.bos, w -> err.println("onnx-sinkfix: warning: " + w));
        ClampValidation.Options o = new ClampValidation.Options(SessionConfig.defaults().withDevice(c.device.device()),
                c.prompts, start.id(), c.token, c.repeats);
        ClampReport report = ClampValidation.run(c.original, c.patched, o, w -> err.println("onnx-sinkfix: warning: " + w));
        String json = Json.write(ClampValidateOutput.document(report));
        if ("-".equals(c.json)) {
            out.println(json);
        } else {
            ClampValidateOutput.print(out, report);
            if (c.json != null) {
                Path file = Path.of(c.json).toAbsolutePath();
                ReportFiles.write(file, json);
                out.printf("report: %s%n", file);
            }
        }
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
