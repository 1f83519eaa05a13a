namespace IotLabKit.Service;

/// <summary>When a twin property (or object) was last written, from the twin's <c>$metadata</c>.</summary>
/// <param name="LastUpdated">When the value last changed (UTC), if the hub recorded it.</param>
/// <param name="LastUpdatedVersion">The desired <c>$version</c> of that change (desired properties only).</param>
public sealed record Metadata(DateTime? LastUpdated, long? LastUpdatedVersion);
