namespace IotLabKit.Device.Tests.Unit;

public class DesiredVersionTrackerTests
{
    [Fact]
    public void Patches_newer_than_seen_are_delivered_and_older_ones_dropped()
    {
        var tracker = new DesiredVersionTracker();
        Assert.True(tracker.AcceptPatch(3));
        Assert.True(tracker.AcceptPatch(4));
        Assert.False(tracker.AcceptPatch(4));
        Assert.False(tracker.AcceptPatch(2));
        Assert.Equal(4, tracker.Seen);
    }

    [Fact]
    public void After_reconnect_the_full_section_is_delivered_only_when_it_moved_on()
    {
        var tracker = new DesiredVersionTracker();
        tracker.ObserveFullTwin(5);
        Assert.False(tracker.AcceptFullAfterReconnect(5)); // nothing missed
        Assert.True(tracker.AcceptFullAfterReconnect(7));  // missed 6 and 7: deliver the full section once
        Assert.False(tracker.AcceptFullAfterReconnect(7));
    }

    [Fact]
    public void Patches_covered_by_the_full_section_after_reconnect_are_ignored()
    {
        var tracker = new DesiredVersionTracker();
        tracker.ObserveFullTwin(2);
        Assert.True(tracker.AcceptFullAfterReconnect(6));
        Assert.False(tracker.AcceptPatch(6)); // the notification for 6 raced the GET: already delivered
        Assert.False(tracker.AcceptPatch(5));
        Assert.True(tracker.AcceptPatch(7));
    }

    [Fact]
    public void Without_a_baseline_the_full_section_is_delivered_once()
    {
        var tracker = new DesiredVersionTracker();
        Assert.True(tracker.AcceptFullAfterReconnect(1));
        Assert.False(tracker.AcceptFullAfterReconnect(1));
    }

    [Fact]
    public void Reading_the_twin_never_moves_the_baseline_back()
    {
        var tracker = new DesiredVersionTracker();
        Assert.True(tracker.AcceptPatch(9));
        tracker.ObserveFullTwin(8);
        Assert.Equal(9, tracker.Seen);
    }

    [Fact]
    public void A_patch_without_a_version_is_delivered()
    {
        var tracker = new DesiredVersionTracker();
        tracker.ObserveFullTwin(4);
        Assert.True(tracker.AcceptPatch(null));
        Assert.Equal(4, tracker.Seen);
    }
}
