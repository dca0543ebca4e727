package dev.multiproc.bench;

import dev.multiproc.bench.report.Reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table of the run: as plain text with columns sized to their widest cell (numbers
 * right-aligned), or as an HTML table whose numeric cells carry their value for sorting.
 */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... headers) {
        this.columns = headers.length;
        rows.add(headers);
    }

    Table row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("expected " + columns + " cells, got " + cells.length);
        }
        String[] text = new String[columns];
        for (int i = 0; i < columns; i++) {
            text[i] = String.valueOf(cells[i]);
        }
        rows.add(text);
        return this;
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    /**
     * The table as HTML: a header row and one row per row; a cell that reads as a number (with
     * a k/M rate suffix or a B/KiB/MiB size) is right-aligned and carries its value in
     * {@code data-value}, so that the report's script sorts it as a number.
     */
    String html() {
        StringBuilder out = new StringBuilder("<table class=\"sortable\">\n<thead><tr>");
        for (String header : rows.getFirst()) {
            out.append("<th>").append(Reports.html(header)).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (String[] row : rows.subList(1, rows.size())) {
            out.append("<tr>");
            for (String cell : row) {
                double value = numericValue(cell);
                if (Double.isNaN(value)) {
                    out.append("<td>");
                } else {
                    out.append("<td class=\"num\" data-value=\"").append(value).append("\">");
                }
                out.append(Reports.html(cell)).append("</td>");
            }
            out.append("</tr>\n");
        }
        return out.append("</tbody>\n</table>\n").toString();
    }

    /** The number a cell shows ("1,234", "2.5 M", "64 B", "1.0 KiB"), or NaN if it shows none. */
    static double numericValue(String cell) {
        String text = cell.replace(",", "").trim();
        double scale = 1;
        for (String[] unit : UNITS) {
            if (text.endsWith(unit[0])) {
                text = text.substring(0, text.length() - unit[0].length()).trim();
                scale = Double.parseDouble(unit[1]);
                break;
            }
        }
        try {
            return Double.parseDouble(text) * scale;
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }

    /** Suffixes of the numbers the tables show, longest first, with what each multiplies by. */
    private static final String[][] UNITS = {{"KiB", "1024"}, {"MiB", "1048576"}, {"M", "1e6"}, {"k", "1e3"}, {"B", "1"}};

    @Override
    public String toString() {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                boolean numeric = !row[i].isEmpty() && (Character.isDigit(row[i].charAt(0)) || row[i].charAt(0) == '-')
                        && row != rows.getFirst();
                String cell = numeric ? " ".repeat(widths[i] - row[i].length()) + row[i]
                        : row[i] + " ".repeat(widths[i] - row[i].length());
                out.append(cell).append(i + 1 < columns ? "  " : "");
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }
}
