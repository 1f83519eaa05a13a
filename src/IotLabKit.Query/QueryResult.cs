using System.Text.Json.Nodes;

namespace IotLabKit.Query;

/// <summary>The materialised result of running an <see cref="IotHubQuery"/>. Paging is the caller's job.</summary>
public sealed class QueryResult
{
    internal QueryResult(QueryItemType itemType, IReadOnlyList<JsonNode> items)
    {
        ItemType = itemType;
        Items = items;
    }

    /// <summary>What the items are; send <see cref="QueryItemTypes.ToHeaderValue"/> as <c>x-ms-item-type</c>.</summary>
    public QueryItemType ItemType { get; }

    /// <summary>
    /// The result rows in source order (groups in order of first appearance). For <c>SELECT *</c> these are the
    /// documents the source yielded (not copies); otherwise new <see cref="JsonObject"/>s owned by the caller.
    /// </summary>
    public IReadOnlyList<JsonNode> Items { get; }
}
