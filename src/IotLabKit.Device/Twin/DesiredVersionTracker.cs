namespace IotLabKit.Device;

/// <summary>
/// Remembers the newest desired <c>$version</c> the application has seen, so that after a reconnect it gets each
/// desired change once: the full desired section when it moved on while the device was away, and no patch that the
/// full section already covered (IoT Hub does not queue desired patches for offline devices).
/// </summary>
internal sealed class DesiredVersionTracker
{
    private readonly Lock _lock = new();
    private long? _seen;

    /// <summary>The newest desired version the application has seen, or null before the first.</summary>
    public long? Seen
    {
        get { lock (_lock) return _seen; }
    }

    /// <summary>
    /// A patch with <paramref name="version"/> arrived: true when the application should get it (it is newer than
    /// anything seen); it then counts as seen. A patch without a version is always delivered.
    /// </summary>
    public bool AcceptPatch(long? version)
    {
        if (version is not { } v) return true;
        lock (_lock)
        {
            if (_seen is { } seen && v <= seen) return false;
            _seen = v;
            return true;
        }
    }

    /// <summary>
    /// After a reconnect the full desired section has <paramref name="version"/>: true when the application missed
    /// changes (the version moved past what it saw, or it had seen none) and should get the full section once.
    /// </summary>
    public bool AcceptFullAfterReconnect(long version)
    {
        lock (_lock)
        {
            if (_seen is { } seen && version <= seen) return false;
            _seen = version;
            return true;
        }
    }

    /// <summary>The application read the twin itself (GetTwinAsync): what it saw counts as seen, without delivery.</summary>
    public void ObserveFullTwin(long version)
    {
        lock (_lock)
        {
            if (_seen is not { } seen || version > seen) _seen = version;
        }
    }
}
