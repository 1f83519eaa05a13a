namespace IotLabKit.Emulator.Core;

/// <summary>
/// An <c>If-Match</c> precondition, read the way IoT Hub reads it: a quoted tag must match, <c>"*"</c> matches
/// anything, and an absent or unquoted value is no condition at all (the real hub ignores unquoted values).
/// This is the one place that decides whether a write may go ahead.
/// </summary>
public readonly record struct ETagCondition
{
    private ETagCondition(bool present, string? tag) { IsPresent = present; Tag = tag; }

    /// <summary>No precondition.</summary>
    public static ETagCondition None { get; } = new(false, null);

    /// <summary>A precondition that any current entity satisfies (<c>"*"</c>).</summary>
    public static ETagCondition Any { get; } = new(true, null);

    /// <summary>A precondition that only <paramref name="etag"/> satisfies.</summary>
    public static ETagCondition For(string etag) => new(true, etag);

    /// <summary>True when the caller sent a usable If-Match (quoted tag or <c>"*"</c>).</summary>
    public bool IsPresent { get; }

    /// <summary>The required tag without quotes; null for <see cref="Any"/> and <see cref="None"/>.</summary>
    public string? Tag { get; }

    /// <summary>Reads an <c>If-Match</c> header value. Only the first tag of a list is considered.</summary>
    public static ETagCondition Parse(string? headerValue)
    {
        if (string.IsNullOrWhiteSpace(headerValue)) return None;
        var value = headerValue.Trim();
        var comma = value.IndexOf(',');
        if (comma >= 0) value = value[..comma].Trim();
        if (value == "*") return Any;
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return None;
        var tag = value[1..^1];
        return tag == "*" ? Any : For(tag);
    }

    /// <summary>True when an entity whose etag is <paramref name="currentEtag"/> satisfies the condition.</summary>
    public bool IsSatisfiedBy(string currentEtag) => !IsPresent || Tag is null || string.Equals(Tag, currentEtag, StringComparison.Ordinal);

    /// <summary>Throws <c>PreconditionFailed</c> unless <see cref="IsSatisfiedBy"/>.</summary>
    /// <param name="currentEtag">The entity's etag now.</param>
    /// <param name="what">The entity, for the message ("device d1", "twin d1").</param>
    public void Verify(string currentEtag, string what)
    {
        if (!IsSatisfiedBy(currentEtag)) throw HubException.PreconditionFailed(what);
    }
}
