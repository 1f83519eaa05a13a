namespace IotLabKit.Query;

/// <summary>What a query's result items are; the REST adapter sends it as the <c>x-ms-item-type</c> header.</summary>
public enum QueryItemType
{
    /// <summary>Whole twin documents: <c>SELECT * FROM devices</c> or <c>devices.modules</c>.</summary>
    Twin,

    /// <summary>Whole per-device job documents: <c>SELECT * FROM devices.jobs</c>.</summary>
    DeviceJob,

    /// <summary>Objects built by the query: projections and aggregates.</summary>
    Raw,
}

/// <summary>Helpers for <see cref="QueryItemType"/>.</summary>
public static class QueryItemTypes
{
    /// <summary>
    /// The exact <c>x-ms-item-type</c> header value: <c>Twin</c>, <c>DeviceJob</c> or <c>Raw</c>.
    /// Microsoft's C# service client parses it case-sensitively, so these strings must not change.
    /// </summary>
    public static string ToHeaderValue(this QueryItemType itemType) => itemType switch
    {
        QueryItemType.Twin => "Twin",
        QueryItemType.DeviceJob => "DeviceJob",
        QueryItemType.Raw => "Raw",
        _ => throw new ArgumentOutOfRangeException(nameof(itemType), itemType, null),
    };
}
