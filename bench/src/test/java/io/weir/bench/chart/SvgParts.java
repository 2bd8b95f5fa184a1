package io.weir.bench.chart;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Test helper: the inline SVG elements of a chart page, each parsed with the JDK's XML parser. */
public final class SvgParts {
    private SvgParts() {
    }

    /** Parses every {@code <svg>...</svg>} of {@code html}; a part that is not well-formed XML throws. */
    public static List<Document> parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        List<Document> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int start = html.indexOf("<svg", from);
            if (start < 0) {
                return out;
            }
            int end = html.indexOf("</svg>", start);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated <svg> at " + start);
            }
            end += "</svg>".length();
            out.add(f.newDocumentBuilder().parse(new InputSource(new StringReader(html.substring(start, end)))));
            from = end;
        }
    }

    /** The text content of every {@code <text>} element of the parsed parts, in document order. */
    public static List<String> texts(List<Document> svgs) {
        List<String> out = new ArrayList<>();
        for (Document d : svgs) {
            NodeList nodes = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
            for (int i = 0; i < nodes.getLength(); i++) {
                out.add(nodes.item(i).getTextContent());
            }
        }
        return out;
    }
}
