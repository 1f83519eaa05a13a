using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary><see cref="IotHubQuery.TryGetRow"/>: the row of one document, for callers that page themselves.</summary>
public sealed class RowTests
{
    private static readonly JsonObject[] Fleet =
    [
        Twin("d1", tags: """{"site":"A","floor":1}"""),
        Twin("d2", tags: """{"site":"B","floor":2}"""),
        Twin("d3", tags: """{"site":"A","floor":3}"""),
    ];

    [Theory]
    [InlineData("SELECT * FROM devices WHERE tags.site = 'A'")]
    [InlineData("SELECT deviceId, tags.floor AS f FROM devices WHERE tags.site = 'A'")]
    [InlineData("SELECT TOP 1 deviceId, tags.floor * 2 FROM devices")]
    [InlineData("select DeviceId from devices where tags.floor in [1, 3]")]
    public void Rows_one_by_one_are_the_rows_Execute_gives(string text)
    {
        var query = QueryParser.Parse(text);
        var rows = new List<JsonNode>();
        foreach (var document in Fleet)
        {
            if (query.TryGetRow(document, out var row)) rows.Add(row);
        }

        var executed = query.Execute(Fleet).Items;
        // TOP is the caller's to apply.
        Assert.Equal(
            new JsonArray(executed.Select(i => i.DeepClone()).ToArray()).ToJsonString(),
            new JsonArray(rows.Take(query.Top ?? int.MaxValue).Select(i => i.DeepClone()).ToArray()).ToJsonString());
    }

    [Fact]
    public void Select_star_rows_are_the_documents_themselves()
    {
        Assert.True(QueryParser.Parse("SELECT * FROM devices").TryGetRow(Fleet[0], out var row));
        Assert.Same(Fleet[0], row);
    }

    [Fact]
    public void A_document_that_does_not_match_gives_no_row()
    {
        Assert.False(QueryParser.Parse("SELECT deviceId FROM devices WHERE tags.site = 'Z'").TryGetRow(Fleet[0], out var row));
        Assert.Null(row);
    }

    [Theory]
    [InlineData("SELECT COUNT() FROM devices")]
    [InlineData("SELECT tags.site, COUNT() AS n FROM devices GROUP BY tags.site")]
    public void Aggregates_have_no_row_per_document(string text)
        => Assert.Throws<InvalidOperationException>(() => QueryParser.Parse(text).TryGetRow(Fleet[0], out _));
}
