package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class RooflineChartTest {

    private static List<String> texts(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // The SVG's DOCTYPE names the W3C DTD: never fetch it (no network here, and none is needed).
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(svg.toFile()); // throws unless well-formed
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        NodeList nodes = doc.getElementsByTagNameNS("*", "text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    @Test
    void theRecordedRunDrawsAWellFormedLabelledChart(@TempDir Path dir) throws Exception {
        RooflineReport.write(RooflineReport.load(Samples.raw()), dir);
        List<String> texts = texts(dir.resolve("roofline.svg"));
        for (String label : List.of("L0", "L3", "M1", "emb", "head", "Roofline, one core")) {
            assertTrue(texts.contains(label), label + " in " + texts);
        }
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("binary peak ")), texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("float32 FMA peak ")), texts.toString());
        for (String level : List.of("L1 ", "L2 ", "L3 ", "DRAM ")) {
            assertTrue(texts.stream().anyMatch(t -> t.startsWith(level) && t.endsWith("B/s")), level);
        }
        assertTrue(texts.stream().anyMatch(t -> t.contains("operators: binary_gemm")), "legend by kind");
        assertTrue(texts.stream().anyMatch(t -> t.equals("fc1 L0")), "slowest operators labelled: " + texts);
        assertTrue(texts.stream().noneMatch(t -> t.contains("NaN") || t.contains("Infinity")));
    }

    @Test
    void anEmptyChartIsStillWellFormed(@TempDir Path dir) throws Exception {
        Roofline none = new Roofline(Double.NaN, Double.NaN, List.of());
        Path svg = dir.resolve("r.svg");
        RooflineChart.write(none, List.of(), List.of(), List.of(), svg);
        texts(svg);
    }

    @Test
    void clustersOfLayersGetOneLabel() {
        assertEquals("L7-14", RooflineChart.clusterName(List.of("L7", "L8", "L9", "L10", "L11", "L12", "L13", "L14")));
        assertEquals("L3", RooflineChart.clusterName(List.of("L3")));
        assertEquals("L1,L3", RooflineChart.clusterName(List.of("L1", "L3")));
        assertEquals("M1,emb", RooflineChart.clusterName(List.of("M1", "emb")));
        assertEquals("L0..L9 (4)", RooflineChart.clusterName(List.of("L0", "L3", "L5", "L9")));
        Roofline r = new Roofline(1e12, 1e11, List.of(new Roofline.Level("L1", 1L << 40, 1e11)));
        Work w = Work.binaryGemm(100, 64, 64, false);
        List<Roofline.Point> pts = List.of(r.evaluate("layer.1", "layer", w, 1e-5, 1),
                r.evaluate("layer.2", "layer", w, 1.05e-5, 1), r.evaluate("layer.3", "layer", w, 3e-5, 1));
        assertEquals(2, RooflineChart.clusters(pts).size());
        assertEquals(2, RooflineChart.clusters(pts).get(0).size());
    }

    @Test
    void shortNames() throws IOException {
        assertEquals("L12", RooflineChart.shortName("layer.12"));
        assertEquals("M3", RooflineChart.shortName("patch_embed3"));
        assertEquals("emb", RooflineChart.shortName("embeddings"));
        assertEquals("head", RooflineChart.shortName("head"));
        assertTrue(Files.isDirectory(Samples.raw()));
    }
}
