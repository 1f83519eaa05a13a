using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>One page of a query's results.</summary>
/// <param name="ItemType">What the items are, exactly as <c>x-ms-item-type</c> says it: <c>Twin</c>, <c>DeviceJob</c> or <c>Raw</c>.</param>
/// <param name="Items">The rows. Whole twins are the hub's shared query documents: write them out, never change them.</param>
/// <param name="ContinuationToken">The token for the next page, or null when this is the last one.</param>
public sealed record QueryPage(string ItemType, IReadOnlyList<JsonNode> Items, string? ContinuationToken);
