using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.Emulator.Core;

/// <summary>Everything the hub keeps about one device: its identity and its twin (stored together, one row).</summary>
/// <param name="Identity">The registry entry.</param>
/// <param name="Twin">The twin.</param>
public sealed record DeviceRecord(DeviceIdentity Identity, TwinDocument Twin);
