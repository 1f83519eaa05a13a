using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using IotLabKit.Query.Expressions;

namespace IotLabKit.Query.Tests;

/// <summary>
/// The compact documents the engine reads (<see cref="CompactJson"/>) against the node trees it used to walk: compiled
/// path look-ups find exactly what a walk of the tree finds, and queries give the same rows either way.
/// </summary>
public sealed class CompactDocumentTests
{
    private static readonly string[] Keys = ["a", "b", "tags", "x", "$metadata", "$version", "é", "with space", "A", "properties", "reported", "k\"q", "\u00e9t\u00e9"];

    private static readonly string[] Strings = ["", "a", "A", "1.0.1", "é", "\"quoted\"", "back\\slash", "line\nbreak", "\u2028", "😀", "<tag>&"];

    /// <summary>A random twin-like document: nested objects, arrays, every JSON type, awkward keys and strings.</summary>
    private static JsonObject RandomObject(Random random, int depth)
    {
        var obj = new JsonObject();
        var count = random.Next(0, 6);
        for (var i = 0; i < count; i++) obj[Keys[random.Next(Keys.Length)]] = RandomValue(random, depth);
        return obj;
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 3 ? 6 : 8) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.Next(-1000, 1000)),
        3 => JsonValue.Create(random.Next(-1000, 1000) / 8.0),
        4 => JsonNode.Parse(random.Next(3) switch { 0 => "1.50", 1 => "1e3", _ => "-0" }),
        5 => JsonValue.Create(Strings[random.Next(Strings.Length)]),
        6 => RandomObject(random, depth + 1),
        _ => new JsonArray(RandomValue(random, depth + 1), RandomValue(random, depth + 1)),
    };

    private static string[] RandomPath(Random random)
        => Enumerable.Range(0, random.Next(1, 5)).Select(_ => Keys[random.Next(Keys.Length)]).ToArray();

    // The old evaluation: a walk of the node tree, one dictionary look-up per segment.
    private static bool WalkTree(JsonObject document, string[] path, out JsonNode? node)
    {
        JsonNode? current = document;
        foreach (var segment in path)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                node = null;
                return false;
            }
        }

        node = current;
        return true;
    }

    [Fact]
    public void Compiled_paths_find_what_a_walk_of_the_tree_finds()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var tree = RandomObject(random, 0);
            var compact = CompactJson.FromNode(tree);
            for (var i = 0; i < 20; i++)
            {
                var path = RandomPath(random);
                var expected = WalkTree(tree, path, out var node);
                var found = new PathExpression(0, path).TryResolve(compact, out var element);

                Assert.Equal(expected, found);
                if (found)
                {
                    // Same JSON, compared as JSON (the compact text may spell characters differently).
                    Assert.True(JsonNode.DeepEquals(node, JsonNode.Parse(element.GetRawText())), string.Join('.', path));
                }
            }
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void Queries_give_the_same_rows_over_compact_documents_and_over_trees()
    {
        string[] queries =
        [
            "SELECT * FROM devices WHERE tags.a = 'A' OR tags.x.a > 1",
            "SELECT tags.a AS v, tags.x FROM devices WHERE IS_DEFINED(tags.a) AND NOT IS_NULL(tags.b)",
            "SELECT tags.a AS k, COUNT() AS n, SUM(tags.b) AS s, MIN(tags.x) AS lo FROM devices GROUP BY tags.a",
            "SELECT COUNT() AS n, AVG(tags.b) AS m, MAX(tags.a) AS hi FROM devices WHERE tags.a IN ['a', 1, true, null] OR tags.b NIN [1.5]",
            "SELECT LOWER(tags.a) AS l, LENGTH(tags.a) AS n, tags.b * 2 AS d FROM devices WHERE STARTSWITH(tags.a, '')",
        ];
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var documents = Enumerable.Range(0, 12).Select(_ => new JsonObject { ["tags"] = RandomObject(random, 1) }).ToArray();
            var compact = documents.Select(d => CompactJson.FromNode(d)).ToArray();
            foreach (var text in queries)
            {
                var query = QueryParser.Parse(text);
                Assert.Equal(TestSupport.Texts(query.Execute(documents)), TestSupport.Texts(query.Execute(compact)));
            }
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void Escaped_and_plain_spellings_of_a_string_are_one_value()
    {
        var escaped = CompactJson.FromUtf8("""{"tags":{"k":"\u0041\u00e9","n":1}}"""u8);
        var plain = CompactJson.FromUtf8(Encoding.UTF8.GetBytes("""{"tags":{"k":"Aé","n":2}}"""));

        Assert.True(QueryParser.Parse("SELECT * FROM devices WHERE tags.k = 'Aé'").Matches(escaped));
        var grouped = QueryParser.Parse("SELECT tags.k AS k, COUNT() AS n, SUM(tags.n) AS s FROM devices GROUP BY tags.k").Execute([escaped, plain]);
        Assert.Equal("""[{"n":2,"s":3,"k":"Aé"}]""", JsonSerializer.Serialize(grouped.Items, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public void Select_star_rows_are_nodes_over_the_document_text()
    {
        var document = CompactJson.FromNode(TestSupport.Twin("d1", tags: """{"cheeseCave":"CheeseCave1","n":1.50}"""));

        Assert.True(QueryParser.Parse("SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'").TryGetRow(document, out var row));

        Assert.Equal(document.GetRawText(), row.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal("1.50", row["tags"]!["n"]!.ToJsonString());
    }

    [Fact]
    public void A_compact_document_is_its_own_exact_size_text()
    {
        var document = CompactJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("deviceId", "d+1é");
            w.WriteEndObject();
        });

        Assert.Equal("""{"deviceId":"d+1é"}""", document.GetRawText());
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) CompactJson.WriteTo(writer, document);
        Assert.Equal("""{"deviceId":"d+1é"}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
