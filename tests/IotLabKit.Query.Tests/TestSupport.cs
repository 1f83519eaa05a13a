using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.Query.Tests;

/// <summary>Builds documents and runs queries over them.</summary>
internal static class TestSupport
{
    public static JsonObject Doc(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>A device twin shaped like IoT Hub's (section 4.1 of the protocol reference).</summary>
    public static JsonObject Twin(string deviceId, string tags = "{}", string reported = "{}", string desired = "{}", string extra = "")
    {
        var reportedObject = JsonNode.Parse(reported)!.AsObject();
        reportedObject["$metadata"] = JsonNode.Parse("""{"$lastUpdated":"2024-05-01T10:00:00.0000000Z"}""");
        reportedObject["$version"] = 3;
        var desiredObject = JsonNode.Parse(desired)!.AsObject();
        desiredObject["$metadata"] = JsonNode.Parse("""{"$lastUpdated":"2024-04-01T10:00:00.0000000Z","$lastUpdatedVersion":1}""");
        desiredObject["$version"] = 1;
        var text = $$"""
            {
              "deviceId": "{{deviceId}}",
              "etag": "AAAAAAAAAAE=",
              "deviceEtag": "OTA4NTk1Mjg=",
              "status": "enabled",
              "statusUpdateTime": "0001-01-01T00:00:00Z",
              "connectionState": "Disconnected",
              "lastActivityTime": "2024-05-01T10:00:00.0000000Z",
              "cloudToDeviceMessageCount": 0,
              "authenticationType": "sas",
              "x509Thumbprint": {"primaryThumbprint": null, "secondaryThumbprint": null},
              "modelId": "",
              "version": 4,
              "tags": {{tags}},
              "properties": {"desired": {{desiredObject.ToJsonString()}}, "reported": {{reportedObject.ToJsonString()}}},
              "capabilities": {"iotEdge": false}
              {{(extra.Length > 0 ? "," + extra : "")}}
            }
            """;
        return Doc(text);
    }

    public static QueryResult Run(string query, params JsonObject[] documents)
        => QueryParser.Parse(query).Execute(documents);

    /// <summary>The result rows as one compact JSON array, for exact comparisons.</summary>
    public static string Json(QueryResult result)
        => new JsonArray(result.Items.Select(i => i.DeepClone()).ToArray()).ToJsonString();

    /// <summary>The deviceId of each result row (whole twins or projections that kept deviceId).</summary>
    public static string[] Ids(QueryResult result)
        => result.Items.Select(i => (string)i["deviceId"]!).ToArray();

    /// <summary>Each document's JSON text: rows over a source are nodes over the source's compact documents, equal in text, not instances.</summary>
    public static string[] Texts(params JsonNode[] documents) => documents.Select(d => d.ToJsonString()).ToArray();

    public static string[] Texts(QueryResult result) => result.Items.Select(i => i.ToJsonString()).ToArray();

    public static string[] Matching(string query, params JsonObject[] documents) => Ids(Run(query, documents));
}

/// <summary>An <see cref="IQuerySource"/> over lists, recording which collections were asked for.</summary>
internal sealed class ListSource : IQuerySource
{
    private readonly Dictionary<QueryCollection, List<JsonObject>> _documents = new()
    {
        [QueryCollection.Devices] = [],
        [QueryCollection.DevicesModules] = [],
        [QueryCollection.DevicesJobs] = [],
    };

    public List<QueryCollection> Requested { get; } = [];

    public ListSource Add(QueryCollection collection, params JsonObject[] documents)
    {
        _documents[collection].AddRange(documents);
        return this;
    }

    public IEnumerable<JsonElement> GetDocuments(QueryCollection collection)
    {
        Requested.Add(collection);
        return _documents[collection].Select(d => CompactJson.FromNode(d));
    }
}
