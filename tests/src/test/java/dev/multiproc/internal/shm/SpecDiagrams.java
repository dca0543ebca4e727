package dev.multiproc.internal.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the byte pictures of a layout spec ({@code spec/*.md}): in each fenced block, a line of
 * offsets over a {@code +---+} border gives the offset of every box whose left edge has a number
 * above it; the box's label is its text on the lines down to the next border. Boxes whose left edge
 * has no number (a field's parts, drawn inside it) are not cells of their own.
 */
final class SpecDiagrams {
    /** A box of a picture: its label (its lines joined, spaces collapsed) and the offset written over its left edge. */
    record Cell(String label, long offset) {
        @Override
        public String toString() {
            return offset + " " + label;
        }
    }

    private static final Pattern OFFSETS = Pattern.compile("^\\s*\\d+(\\s+\\d+)*\\s*$");
    private static final Pattern BORDER = Pattern.compile("^\\s*\\+[-+]*\\+.*$");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    /** How far a number may sit from the edge it labels (numbers are written left of, under or over the '+'). */
    private static final int SLACK = 2;

    private SpecDiagrams() {
    }

    /** Every cell of every picture in {@code spec}, in the order drawn. */
    static List<Cell> cells(Path spec) {
        List<String> lines = fencedLines(spec);
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i + 2 < lines.size(); i++) {
            if (!OFFSETS.matcher(lines.get(i)).matches() || !BORDER.matcher(lines.get(i + 1)).matches()) {
                continue;
            }
            String border = lines.get(i + 1);
            List<String> rows = new ArrayList<>();
            for (int row = i + 2; row < lines.size() && !BORDER.matcher(lines.get(row)).matches(); row++) {
                rows.add(lines.get(row));
            }
            List<Integer> edges = new ArrayList<>();
            for (int column = 0; column < border.length(); column++) {
                if (border.charAt(column) == '+') {
                    edges.add(column);
                }
            }
            for (int box = 0; box + 1 < edges.size(); box++) {
                Long offset = numberAt(lines.get(i), edges.get(box));
                String label = label(rows, edges.get(box) + 1, edges.get(box + 1));
                if (offset != null && !label.isEmpty()) {
                    cells.add(new Cell(label, offset));
                }
            }
        }
        return cells;
    }

    private static List<String> fencedLines(Path spec) {
        List<String> fenced = new ArrayList<>();
        boolean inside = false;
        try {
            for (String line : Files.readAllLines(spec)) {
                if (line.startsWith("```")) {
                    inside = !inside;
                } else if (inside) {
                    fenced.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fenced;
    }

    /** The number written over {@code column}: one covering it, else the nearest starting within {@link #SLACK}. */
    private static Long numberAt(String offsets, int column) {
        Matcher number = NUMBER.matcher(offsets);
        Long nearest = null;
        int nearestDistance = SLACK + 1;
        while (number.find()) {
            if (number.start() <= column && column < number.end()) {
                return Long.parseLong(number.group());
            }
            int distance = Math.min(Math.abs(number.start() - column), Math.abs(number.end() - 1 - column));
            if (distance < nearestDistance) {
                nearestDistance = distance;
                nearest = Long.parseLong(number.group());
            }
        }
        return nearest;
    }

    private static String label(List<String> rows, int from, int to) {
        StringBuilder label = new StringBuilder();
        for (String row : rows) {
            if (row.length() > from) {
                label.append(' ').append(row, from, Math.min(to, row.length()));
            }
        }
        return label.toString().replaceAll("\\s+", " ").strip();
    }
}
