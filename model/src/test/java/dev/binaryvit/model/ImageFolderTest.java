package dev.binaryvit.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderTest {

    /** A small image encoded as {@code format} (png, jpg, bmp, gif), its colour telling it apart. */
    static byte[] encoded(String format, int shade) throws IOException {
        BufferedImage image = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 6; x++) image.setRGB(x, y, shade << 16 | x << 8 | y);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) throw new AssertionError("no ImageIO writer for " + format);
        return out.toByteArray();
    }

    static Path file(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), bytes);
    }

    /**
     * cat/{a.PNG, b.png, c.jpg, notes.txt, .hidden.png, nested/d.png}, dog/{broken.png, x.bmp, y.gif},
     * .git/z.png and readme.md beside the class folders.
     */
    static Path tree(Path root) throws IOException {
        Path cat = root.resolve("cat");
        Path dog = root.resolve("dog");
        file(cat, "b.png", encoded("png", 1));
        file(cat, "a.PNG", encoded("png", 2));
        file(cat, "c.jpg", encoded("jpg", 3));
        file(cat, "notes.txt", "not an image".getBytes());
        file(cat, ".hidden.png", encoded("png", 4));
        file(cat.resolve("nested"), "d.png", encoded("png", 5));
        byte[] png = encoded("png", 6);
        file(dog, "broken.png", Arrays.copyOf(png, png.length / 2));   // cut off in the middle of its pixels
        file(dog, "x.bmp", encoded("bmp", 7));
        file(dog, "y.gif", encoded("gif", 8));
        file(root.resolve(".git"), "z.png", encoded("png", 9));
        file(root, "readme.md", "# images".getBytes());
        return root;
    }

    @Test
    void classFoldersSortedByNameAreTheClasses(@TempDir Path root) throws IOException {
        tree(root);
        ImageFolder data = ImageFolder.open(root, List.of());
        assertEquals(List.of("cat", "dog"), data.classNames());
        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            names.add(root.relativize(Path.of(data.name(i))).toString());
            labels.add(data.label(i));
        }
        assertEquals(List.of("cat/a.PNG", "cat/b.png", "cat/c.jpg", "dog/broken.png", "dog/x.bmp", "dog/y.gif"), names);
        assertEquals(List.of(0, 0, 0, 1, 1, 1), labels);
        assertEquals("image folder " + root + ": 6 images in 2 class folders (3 other entries skipped)", data.description());
    }

    @Test
    void aCorruptImageFailsOnlyWhenDecodedAndOnlyItself(@TempDir Path root) throws IOException {
        ImageFolder data = ImageFolder.open(tree(root), List.of());
        int broken = 3;
        assertEquals(root.resolve("dog/broken.png").toString(), data.name(broken));
        ImageException e = assertThrows(ImageException.class, () -> data.image(broken));
        assertTrue(e.getMessage().contains(data.name(broken)), e.getMessage());
        for (int i = 0; i < data.size(); i++) {
            if (i == broken) continue;
            BufferedImage image = data.image(i);
            assertEquals(6, image.getWidth(), data.name(i));
            assertEquals(4, image.getHeight(), data.name(i));
        }
        // the shade of a.PNG, written losslessly, tells the files apart
        assertEquals(2, data.image(0).getRGB(0, 0) >> 16 & 0xff);
    }

    @Test
    void anImageDeletedAfterOpeningIsAnImageException(@TempDir Path root) throws IOException {
        ImageFolder data = ImageFolder.open(tree(root), List.of());
        Files.delete(data.file(1));
        ImageException e = assertThrows(ImageException.class, () -> data.image(1));
        assertTrue(e.getMessage().contains(data.name(1)), e.getMessage());
    }

    @Test
    void givenClassNamesMatchFoldersByNameOrIndex(@TempDir Path root) throws IOException {
        file(root.resolve("cat"), "a.png", encoded("png", 1));
        file(root.resolve("1"), "b.png", encoded("png", 2));
        file(root.resolve("dog"), "c.png", encoded("png", 3));
        ImageFolder data = ImageFolder.open(root, List.of("dog", "bird", "cat"));
        assertEquals(List.of("dog", "bird", "cat"), data.classNames());
        // folders sorted by name: 1, cat, dog
        assertEquals(List.of(1, 2, 0), List.of(data.label(0), data.label(1), data.label(2)));
        assertEquals(root.resolve("1/b.png").toString(), data.name(0));
    }

    @Test
    void aFolderMatchingNoClassIsAnError(@TempDir Path root) throws IOException {
        file(root.resolve("cat"), "a.png", encoded("png", 1));
        file(root.resolve("fish"), "b.png", encoded("png", 2));
        DataException e = assertThrows(DataException.class, () -> ImageFolder.open(root, List.of("dog", "bird", "cat")));
        assertEquals(root.resolve("fish") + ": the folder matches no class (neither a class name nor an index 0..2 of the 3 classes)",
                e.getMessage());
        // an index out of range, or not written plainly, matches nothing either
        Files.move(root.resolve("fish"), root.resolve("3"));
        assertThrows(DataException.class, () -> ImageFolder.open(root, List.of("dog", "bird", "cat")));
        Files.move(root.resolve("3"), root.resolve("01"));
        assertThrows(DataException.class, () -> ImageFolder.open(root, List.of("dog", "bird", "cat")));
    }

    @Test
    void twoFoldersOfOneClassAreAnError(@TempDir Path root) throws IOException {
        file(root.resolve("0"), "a.png", encoded("png", 1));
        file(root.resolve("dog"), "b.png", encoded("png", 2));
        DataException e = assertThrows(DataException.class, () -> ImageFolder.open(root, List.of("dog", "cat")));
        assertEquals(root + ": folders 0 and dog are both class 0 (dog)", e.getMessage());
    }

    @Test
    void aFlatFolderIsUnlabelled(@TempDir Path root) throws IOException {
        file(root, "b.jpg", encoded("jpg", 1));
        file(root, "a.png", encoded("png", 2));
        file(root, "list.csv", "a,b".getBytes());
        file(root.resolve(".thumbnails"), "t.png", encoded("png", 3));
        ImageFolder data = ImageFolder.open(root, List.of());
        assertEquals(2, data.size());
        assertEquals(root.resolve("a.png").toString(), data.name(0));
        assertEquals(-1, data.label(0));
        assertEquals(-1, data.label(1));
        assertEquals(List.of(), data.classNames());
        assertEquals("image folder " + root + ": 2 images, unlabelled (1 other entry skipped)", data.description());
        assertEquals(List.of("x"), ImageFolder.open(root, List.of("x")).classNames());
    }

    @Test
    void noImagesIsAnError(@TempDir Path root) throws IOException {
        DataException empty = assertThrows(DataException.class, () -> ImageFolder.open(root, List.of()));
        assertEquals(root + ": no images (png, jpg, jpeg, bmp, gif) and no class folders", empty.getMessage());

        file(root, "notes.txt", "x".getBytes());
        assertThrows(DataException.class, () -> ImageFolder.open(root, List.of()));

        file(root.resolve("a"), "notes.txt", "x".getBytes());
        Files.createDirectories(root.resolve("b"));
        DataException noImages = assertThrows(DataException.class, () -> ImageFolder.open(root, List.of()));
        assertEquals(root + ": its 2 class folders hold no images (png, jpg, jpeg, bmp, gif)", noImages.getMessage());

        DataException missing = assertThrows(DataException.class, () -> ImageFolder.open(root.resolve("nope"), List.of()));
        assertEquals("data set not found: " + root.resolve("nope"), missing.getMessage());
        DataException notFolder = assertThrows(DataException.class, () -> ImageFolder.open(root.resolve("notes.txt"), List.of()));
        assertEquals("not a folder of images: " + root.resolve("notes.txt"), notFolder.getMessage());
    }

    @Test
    void labelledImagesOpensFoldersAsImageFolders(@TempDir Path root) throws IOException {
        tree(root);
        assertInstanceOf(ImageFolder.class, LabelledImages.open(root, List.of()));
        Path single = root.resolve("cat/a.PNG");
        DataException e = assertThrows(DataException.class, () -> LabelledImages.open(single, List.of()));
        assertEquals(single + ": a single image, not a data set (a folder of images, or IDX files)", e.getMessage());
        DataException missing = assertThrows(DataException.class, () -> LabelledImages.open(root.resolve("nope"), List.of()));
        assertEquals("data set not found: " + root.resolve("nope"), missing.getMessage());
    }
}
