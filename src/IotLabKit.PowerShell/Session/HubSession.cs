namespace IotLabKit.PowerShell.Session;

/// <summary>
/// The module's state in this PowerShell process: the current hub connection and the emulator this session
/// started. One per process, like a PowerShell session's current location, because the emulator child process
/// is tied to this process (<c>--parent-pid</c>).
/// </summary>
internal static class HubSession
{
    private static readonly object Gate = new();
    private static HubConnection? current;
    private static EmulatorProcess? emulator;

    /// <summary>The connection cmdlets use when no -ConnectionString is given; null when not connected.</summary>
    public static HubConnection? Current
    {
        get { lock (Gate) return current; }
    }

    /// <summary>The emulator started by this session, if any (running or not).</summary>
    public static EmulatorProcess? Emulator
    {
        get { lock (Gate) return emulator; }
    }

    /// <summary>Makes <paramref name="connection"/> current, closing the previous one.</summary>
    public static void Connect(HubConnection connection)
    {
        HubConnection? old;
        lock (Gate) { old = current; current = connection; }
        if (!ReferenceEquals(old, connection)) old?.Dispose();
    }

    /// <summary>Forgets the current connection; returns it (already closed) or null.</summary>
    public static HubConnection? Disconnect()
    {
        HubConnection? old;
        lock (Gate) { old = current; current = null; }
        old?.Dispose();
        return old;
    }

    /// <summary>Remembers the emulator this session started.</summary>
    public static void SetEmulator(EmulatorProcess? process)
    {
        lock (Gate) emulator = process;
    }

    /// <summary>True when the current connection points at <paramref name="process"/>'s hub.</summary>
    public static bool IsConnectedTo(EmulatorProcess process)
    {
        var c = Current;
        return c is not null && process.Status is { } s
            && string.Equals(c.HostName, s.ConnectionHost, StringComparison.OrdinalIgnoreCase);
    }
}
