package dev.sinkfix.surgery.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkfix.surgery.TinyModels;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatchRecordTest {
    @Test
    void recordsReadBackAndBrokenKeysAreReportedRaw() {
        Model m = TinyModels.addOf(TinyModels.inlineFloats("w", 4));
        new PatchRecord(1, List.of(7890, 10411), MlpSite.UP, 1, "0.1.0", "a", "b").writeTo(m);
        m.metadata().put("sinkfix.layer.3.neurons", "x,y");
        assertEquals(List.of(new PatchRecord(1, List.of(7890, 10411), MlpSite.UP, 1, "0.1.0", "a", "b")), PatchRecord.readAll(m));
        assertEquals(Map.of("sinkfix.layer.3.neurons", "x,y"), PatchRecord.unreadKeys(m));
        assertEquals("7890,10411", m.metadata().get("sinkfix.layer.1.neurons"));
    }
}
