package dev.binaryvit.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A folder of image files: {@code root/<class>/<image>} with one sub-folder per class, as
 * torchvision's {@code ImageFolder}, or a flat folder of images, which is unlabelled.
 *
 * <p>Classes: without class names, the sub-folders sorted by name are the classes 0, 1, ... (the
 * order torchvision gives them). With class names (e.g. the model's), each sub-folder must be
 * named either as a class or by its index ({@code 0}, {@code 1}, ...); a sub-folder that matches
 * none, or two that match the same class, is an error.
 *
 * <p>Files: those ending in .png, .jpg, .jpeg, .bmp or .gif (in any case) directly in a class
 * folder, sorted by name; other files, hidden files and folders (a name starting with '.'), and
 * folders nested inside class folders are skipped, as are files beside the class folders. The
 * images are decoded only by {@link #image}, so a corrupt one is reported when it is reached.
 */
public final class ImageFolder implements LabelledImages {

    /** File name extensions read as images, lower case. */
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private final Path root;
    private final List<Path> files;
    private final int[] labels;          // null: a flat, unlabelled folder
    private final List<String> classNames;
    private final int classFolders;
    private final int skipped;

    private ImageFolder(Path root, List<Path> files, int[] labels, List<String> classNames, int classFolders, int skipped) {
        this.root = root;
        this.files = List.copyOf(files);
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
        this.classFolders = classFolders;
        this.skipped = skipped;
    }

    /**
     * Lists an image folder (see the class comment).
     *
     * @param classNames the class names by index, or empty to take the sub-folders' names
     * @throws DataException if the folder does not exist, holds no images, or has a sub-folder
     *                       that matches no class name (the message names it)
     * @throws IOException   if it cannot be listed
     */
    public static ImageFolder open(Path root, List<String> classNames) throws IOException {
        Objects.requireNonNull(classNames, "classNames");
        if (!Files.exists(root)) throw new DataException("data set not found: " + root);
        if (!Files.isDirectory(root)) throw new DataException("not a folder of images: " + root);

        List<Path> dirs = new ArrayList<>();
        List<Path> topFiles = new ArrayList<>();
        int skipped = 0;
        for (Path p : sortedEntries(root)) {
            if (hidden(p)) continue;
            if (Files.isDirectory(p)) dirs.add(p);
            else topFiles.add(p);
        }

        List<Path> files = new ArrayList<>();
        if (dirs.isEmpty()) {
            // Flat: the images themselves, no labels.
            for (Path f : topFiles) {
                if (isImage(f)) files.add(f);
                else skipped++;
            }
            if (files.isEmpty()) throw new DataException(root + ": no images (" + extensions() + ") and no class folders");
            return new ImageFolder(root, files, null, classNames, 0, skipped);
        }

        skipped += topFiles.size();   // files beside the class folders belong to no class
        int[] classOf = classIndices(root, dirs, classNames);
        List<String> names = classNames.isEmpty() ? dirs.stream().map(d -> d.getFileName().toString()).toList() : classNames;
        List<Integer> labelList = new ArrayList<>();
        for (int c = 0; c < dirs.size(); c++) {
            for (Path f : sortedEntries(dirs.get(c))) {
                if (hidden(f)) continue;
                if (!Files.isDirectory(f) && isImage(f)) {
                    files.add(f);
                    labelList.add(classOf[c]);
                } else {
                    skipped++;
                }
            }
        }
        if (files.isEmpty()) {
            throw new DataException(root + ": its " + dirs.size() + " class folder" + (dirs.size() == 1 ? "" : "s")
                    + " hold no images (" + extensions() + ")");
        }
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        return new ImageFolder(root, files, labels, names, dirs.size(), skipped);
    }

    /** The class index of each sub-folder: its rank by name, or the class name or index it matches. */
    private static int[] classIndices(Path root, List<Path> dirs, List<String> classNames) throws DataException {
        int[] classOf = new int[dirs.size()];
        if (classNames.isEmpty()) {
            for (int c = 0; c < classOf.length; c++) classOf[c] = c;
            return classOf;
        }
        Map<String, Integer> byName = new HashMap<>();
        for (int i = classNames.size() - 1; i >= 0; i--) byName.put(classNames.get(i), i);   // the first of duplicates wins
        Map<Integer, Path> taken = new HashMap<>();
        for (int c = 0; c < classOf.length; c++) {
            Path dir = dirs.get(c);
            String name = dir.getFileName().toString();
            Integer index = byName.get(name);
            if (index == null) index = parseIndex(name, classNames.size());
            if (index == null) {
                throw new DataException(dir + ": the folder matches no class (neither a class name nor an index 0.."
                        + (classNames.size() - 1) + " of the " + classNames.size() + " classes)");
            }
            Path other = taken.putIfAbsent(index, dir);
            if (other != null) {
                throw new DataException(root + ": folders " + other.getFileName() + " and " + name
                        + " are both class " + index + " (" + classNames.get(index) + ")");
            }
            classOf[c] = index;
        }
        return classOf;
    }

    /** A folder named by a class index in [0, n), in plain decimal ({@code 7}, not {@code 07} or {@code +7}). */
    private static Integer parseIndex(String name, int n) {
        if (name.isEmpty() || name.length() > 9 || !name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return null;
        if (name.length() > 1 && name.charAt(0) == '0') return null;
        int v = Integer.parseInt(name);
        return v < n ? v : null;
    }

    private static List<Path> sortedEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    static boolean isImage(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String extensions() {
        return "png, jpg, jpeg, bmp, gif";
    }

    // ---------------------------------------------------------------- the data set

    @Override
    public int size() {
        return files.size();
    }

    /** The image's file. */
    public Path file(int i) {
        return files.get(i);
    }

    @Override
    public String name(int i) {
        return files.get(i).toString();
    }

    @Override
    public int label(int i) {
        Objects.checkIndex(i, files.size());
        return labels == null ? -1 : labels[i];
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public BufferedImage image(int i) throws ImageException {
        Path f = files.get(i);
        try {
            return Images.read(f);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageException("cannot read image " + f + ": " + Main.describe(e), e);
        }
    }

    @Override
    public String description() {
        String what = labels == null ? ", unlabelled"
                : " in " + classFolders + " class folder" + (classFolders == 1 ? "" : "s");
        return "image folder " + root + ": " + files.size() + " image" + (files.size() == 1 ? "" : "s") + what
                + (skipped == 0 ? "" : " (" + skipped + " other entr" + (skipped == 1 ? "y" : "ies") + " skipped)");
    }

    @Override
    public String toString() {
        return description();
    }
}
