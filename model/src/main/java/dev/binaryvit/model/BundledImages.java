package dev.binaryvit.model;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The bundled model's test images: Fashion-MNIST test images as PNG files in the jar, listed with
 * their true classes in {@code images.csv} ({@code file,label} lines after a header).
 */
final class BundledImages implements LabelledImages {

    private static final String INDEX = "images.csv";

    /** One bundled image: its file name, its class index, and its PNG bytes. */
    private record Entry(String name, int label, byte[] png) {}

    private final List<Entry> entries;

    private BundledImages(List<Entry> entries) {
        this.entries = entries;
    }

    /** All bundled images, in the order of the index. */
    static BundledImages load() {
        try {
            String index = new String(ModelFiles.resource(INDEX), StandardCharsets.UTF_8);
            List<Entry> entries = new ArrayList<>();
            for (String line : index.lines().skip(1).toList()) {
                if (line.isBlank()) continue;
                String[] f = line.split(",");
                if (f.length != 2) throw new IOException(INDEX + ": expected 'file,label', found '" + line + "'");
                String file = f[0].strip();
                entries.add(new Entry(file, Integer.parseInt(f[1].strip()), ModelFiles.resource(file)));
            }
            return new BundledImages(List.copyOf(entries));
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException("the bundled images in the jar are damaged: " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public String name(int i) {
        return entries.get(i).name();
    }

    @Override
    public int label(int i) {
        return entries.get(i).label();
    }

    @Override
    public List<String> classNames() {
        return IdxFile.FASHION_MNIST_CLASSES;
    }

    @Override
    public BufferedImage image(int i) throws ImageException {
        Entry e = entries.get(i);
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(e.png()));
            if (image == null) throw new ImageException("bundled image " + e.name() + " is not a PNG");
            return image;
        } catch (ImageException x) {
            throw x;
        } catch (IOException x) {
            throw new ImageException("cannot decode bundled image " + e.name() + ": " + x.getMessage(), x);
        }
    }

    @Override
    public String description() {
        return "the bundled model's " + entries.size() + " test images (Fashion-MNIST, one per class)";
    }
}
