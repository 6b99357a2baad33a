// The Lucene peer of the search benchmark (issue 3): what a district would get from
// Elasticsearch's engine with the CJK analyzer. Same corpus, same queries and the same
// "page" as crates/gongkai-bench: top 10 with a snippet, exact total, five facet counts.
// Built against the Lucene 9.9 jar shipped in the PyPI package pyserini 0.25.0 (no
// highlighter or facet module in that jar, so both are done here by hand: the snippet is a
// window around the first occurrence of the first query word in the stored body, the facet
// counts read SortedDocValues in the same pass as the top 10).
//
// Usage: java -cp JAR:. LuceneBench CORPUS.jsonl QUERIES.jsonl QA.jsonl|- WORKDIR ITERATIONS

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.nio.file.*;
import java.util.*;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.document.*;
import org.apache.lucene.index.*;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.*;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

public class LuceneBench {
    static final String[] FACETS = {"issuer", "category", "validity", "year", "kind"};
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] a) throws Exception {
        Path corpus = Paths.get(a[0]), queries = Paths.get(a[1]);
        Path qa = a[2].equals("-") ? null : Paths.get(a[2]);
        Path work = Paths.get(a[3]);
        int iterations = Integer.parseInt(a[4]);
        if (Files.exists(work)) {
            try (var s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        CJKAnalyzer analyzer = new CJKAnalyzer();
        long t0 = System.nanoTime();
        List<String> ids = new ArrayList<>();
        try (FSDirectory dir = FSDirectory.open(work);
             IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(analyzer).setRAMBufferSizeMB(256))) {
            try (BufferedReader r = Files.newBufferedReader(corpus)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) continue;
                    JsonNode j = JSON.readTree(line);
                    Document d = new Document();
                    String id = j.get("id").asText();
                    ids.add(id);
                    d.add(new StringField("id", id, Field.Store.YES));
                    d.add(new TextField("title", j.get("title").asText(), Field.Store.YES));
                    d.add(new TextField("body", j.get("body").asText(), Field.Store.YES));
                    JsonNode no = j.get("doc_no");
                    if (no != null && !no.isNull()) d.add(new StringField("doc_no", no.asText(), Field.Store.NO));
                    for (String f : new String[] {"issuer", "category", "validity", "kind"}) {
                        String v = j.get(f).asText();
                        d.add(new StringField(f, v, Field.Store.NO));
                        d.add(new SortedDocValuesField(f, new BytesRef(v)));
                    }
                    int year = j.get("year").asInt();
                    d.add(new IntPoint("year", year));
                    d.add(new SortedDocValuesField("year", new BytesRef(Integer.toString(year))));
                    w.addDocument(d);
                }
            }
            w.forceMerge(1);
        }
        double buildSecs = (System.nanoTime() - t0) / 1e9;
        long bytes;
        try (var s = Files.walk(work)) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        DirectoryReader reader = DirectoryReader.open(FSDirectory.open(work));
        IndexSearcher searcher = new IndexSearcher(reader);

        List<JsonNode> qs = new ArrayList<>();
        for (String l : Files.readAllLines(queries)) if (!l.isBlank()) qs.add(JSON.readTree(l));
        long sink = 0;
        for (JsonNode q : qs) for (int i = 0; i < 20; i++) sink += page(searcher, analyzer, q).bytes;
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        for (int it = 0; it < iterations; it++) {
            for (JsonNode q : qs) {
                long t = System.nanoTime();
                Page p = page(searcher, analyzer, q);
                samples.computeIfAbsent(q.get("kind").asText(), k -> new ArrayList<>()).add(System.nanoTime() - t);
                sink += p.bytes;
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("engine", "lucene-cjk");
        String name = corpus.getFileName().toString();
        out.put("corpus", name.substring(0, name.lastIndexOf('.')));
        out.put("docs", ids.size());
        out.put("build_secs", buildSecs);
        out.put("index_bytes", bytes);
        ArrayNode kinds = out.putArray("kinds");
        Map<String, ObjectNode> byKind = new LinkedHashMap<>();
        for (JsonNode q : qs) {
            String k = q.get("kind").asText();
            ObjectNode o = byKind.computeIfAbsent(k, x -> {
                ObjectNode n = kinds.addObject();
                n.put("kind", x);
                n.putArray("queries");
                n.putArray("hits");
                List<Long> s = samples.get(x);
                Collections.sort(s);
                n.put("p50_us", pct(s, 0.50) / 1e3);
                n.put("p99_us", pct(s, 0.99) / 1e3);
                return n;
            });
            ((ArrayNode) o.get("queries")).add(q.get("q").asText());
            ((ArrayNode) o.get("hits")).add(page(searcher, analyzer, q).total);
        }
        if (qa != null) {
            int n = 0, hit = 0;
            QueryParser any = new MultiFieldQueryParser(new String[] {"title", "body"}, analyzer, Map.of("title", 4f, "body", 1f));
            for (String l : Files.readAllLines(qa)) {
                if (l.isBlank()) continue;
                JsonNode j = JSON.readTree(l);
                n++;
                Query query = any.parse(QueryParser.escape(j.get("question").asText()));
                for (ScoreDoc sd : searcher.search(query, 5).scoreDocs) {
                    if (searcher.storedFields().document(sd.doc).get("id").equals(j.get("gold_doc_id").asText())) {
                        hit++;
                        break;
                    }
                }
            }
            out.put("qa_questions", n);
            out.put("recall_at_5", n == 0 ? 0 : (double) hit / n);
        }
        out.put("rss_kb", rssKb());
        System.err.println("(" + sink + " bytes of pages built)");
        System.out.println(JSON.writeValueAsString(out));
    }

    static long pct(List<Long> s, double p) {
        if (s.isEmpty()) return 0;
        int i = Math.max(1, Math.min(s.size(), (int) Math.ceil(p * s.size()))) - 1;
        return s.get(i);
    }

    static long rssKb() throws Exception {
        for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return 0;
    }

    record Page(long total, long bytes) {}

    /** Words must all occur (each word as a phrase of its bigrams); "quoted" is a phrase. */
    static Query parse(Analyzer analyzer, String text) throws Exception {
        MultiFieldQueryParser p = new MultiFieldQueryParser(new String[] {"title", "body"}, analyzer, Map.of("title", 4f, "body", 1f));
        p.setDefaultOperator(QueryParser.Operator.AND);
        p.setSplitOnWhitespace(true);
        p.setAutoGeneratePhraseQueries(true);
        return p.parse(text);
    }

    static Page page(IndexSearcher searcher, Analyzer analyzer, JsonNode q) throws Exception {
        String text = q.get("q").asText();
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (q.get("kind").asText().equals("document number")) {
            b.add(new TermQuery(new Term("doc_no", text)), BooleanClause.Occur.MUST);
        } else {
            b.add(parse(analyzer, text), BooleanClause.Occur.MUST);
        }
        JsonNode v = q.get("validity");
        if (v != null && !v.isNull()) b.add(new TermQuery(new Term("validity", v.asText())), BooleanClause.Occur.FILTER);
        JsonNode y = q.get("year");
        if (y != null && !y.isNull()) b.add(IntPoint.newExactQuery("year", y.asInt()), BooleanClause.Occur.FILTER);
        Query query = b.build();
        CollectorManager<TopScoreDocCollector, TopDocs> top = TopScoreDocCollector.createSharedManager(10, null, Integer.MAX_VALUE);
        FacetManager facets = new FacetManager();
        Object[] r = searcher.search(query, new MultiCollectorManager(top, facets));
        TopDocs docs = (TopDocs) r[0];
        FacetCounts counts = (FacetCounts) r[1];
        String needle = text.replace("\"", "").trim().split("\\s+")[0];
        long bytes = counts.size();
        StoredFields stored = searcher.storedFields();
        for (ScoreDoc sd : docs.scoreDocs) {
            Document d = stored.document(sd.doc);
            String body = d.get("body");
            int at = Math.max(0, body.indexOf(needle));
            int from = Math.max(0, at - 20), to = Math.min(body.length(), from + 110);
            String snippet = body.substring(from, to).replace(needle, "<b>" + needle + "</b>");
            bytes += snippet.length() + d.get("title").length();
        }
        return new Page(counts.total, bytes);
    }

    static final class FacetCounts {
        long total;
        final List<Map<String, Long>> counts = new ArrayList<>();
        FacetCounts() {
            for (String f : FACETS) counts.add(new HashMap<>());
        }
        long size() {
            return counts.stream().mapToLong(Map::size).sum();
        }
    }

    /** Counts every facet's values in the same pass as the top 10 (by ordinal per segment). */
    static final class FacetManager implements CollectorManager<Collector, FacetCounts> {
        final List<long[][]> perSegment = Collections.synchronizedList(new ArrayList<>());
        final List<SortedDocValues[]> dvs = Collections.synchronizedList(new ArrayList<>());
        final long[] total = new long[1];

        public Collector newCollector() {
            return new SimpleCollector() {
                SortedDocValues[] cols;
                long[][] ords;
                public void doSetNextReader(LeafReaderContext ctx) throws java.io.IOException {
                    cols = new SortedDocValues[FACETS.length];
                    ords = new long[FACETS.length][];
                    for (int i = 0; i < FACETS.length; i++) {
                        cols[i] = DocValues.getSorted(ctx.reader(), FACETS[i]);
                        ords[i] = new long[Math.max(1, cols[i].getValueCount())];
                    }
                    perSegment.add(ords);
                    dvs.add(cols);
                    // Fresh iterators for collecting; the stored ones decode ordinals later.
                    cols = new SortedDocValues[FACETS.length];
                    for (int i = 0; i < FACETS.length; i++) cols[i] = DocValues.getSorted(ctx.reader(), FACETS[i]);
                }
                public void collect(int doc) throws java.io.IOException {
                    total[0]++;
                    for (int i = 0; i < cols.length; i++) {
                        if (cols[i].advanceExact(doc)) ords[i][cols[i].ordValue()]++;
                    }
                }
                public ScoreMode scoreMode() {
                    return ScoreMode.COMPLETE_NO_SCORES;
                }
            };
        }

        public FacetCounts reduce(Collection<Collector> cs) throws java.io.IOException {
            FacetCounts out = new FacetCounts();
            out.total = total[0];
            for (int s = 0; s < perSegment.size(); s++) {
                long[][] ords = perSegment.get(s);
                SortedDocValues[] cols = dvs.get(s);
                for (int i = 0; i < FACETS.length; i++) {
                    for (int o = 0; o < ords[i].length; o++) {
                        if (ords[i][o] > 0) out.counts.get(i).merge(cols[i].lookupOrd(o).utf8ToString(), ords[i][o], Long::sum);
                    }
                }
            }
            return out;
        }
    }
}
