using NeuralArt.Engine;
using NeuralArt.Contract;
using NeuralArt.Testing;
using NeuralArt.Pipeline.Inbox;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Tests;

public sealed class NamingTests
{
    /// <summary>The conventions come from the engines' descriptors: the blur engine's two kinds stand in for dream and style.</summary>
    private static readonly IReadOnlyList<EngineDescriptor> Engines =
        [new BlurEngine(ArtworkKinds.Dream).Describe(new EngineLimits()), new BlurEngine(ArtworkKinds.Style).Describe(new EngineLimits())];

    [Fact]
    public void Inbox_job_ids_depend_on_name_and_etag_only()
    {
        var a = JobIds.ForInboxBlob("dream", "dream/My Cat (1).JPG", "\"0x8DC1\"");
        Assert.Equal(a, JobIds.ForInboxBlob("dream", "dream/My Cat (1).JPG", "0x8DC1"));
        Assert.NotEqual(a, JobIds.ForInboxBlob("dream", "dream/My Cat (1).JPG", "0x8DC2"));
        Assert.NotEqual(a, JobIds.ForInboxBlob("dream", "dream/my-cat-1.jpg", "0x8DC1"));
        Assert.StartsWith("dream-my-cat-1-", a);
        Assert.True(JobIds.IsValid(a));
        Assert.False(JobIds.IsValid("../etc"));
        Assert.False(JobIds.IsValid("Upper"));
    }

    [Theory]
    [InlineData("dream/cat.jpg", "dream", null)]
    [InlineData("style/starry-night/cat.jpg", "style", "starry-night")]
    public void Inbox_conventions_name_the_kind_and_style(string blob, string kind, string? style)
    {
        var entry = InboxConventions.Parse(blob, Engines, out _);
        Assert.NotNull(entry);
        Assert.Equal(kind, entry.Kind);
        Assert.Equal($"inbox/{blob}", Assert.Single(entry.Inputs["source"]));
        Assert.Equal(style, entry.Inputs.TryGetValue("style", out var styles) ? Assert.Single(styles) : null);
        Assert.Equal($"inbox/{blob}.json", InboxConventions.Sidecar(entry).ToString());
    }

    [Fact]
    public void An_inbox_file_fills_the_engines_primary_role_whatever_its_name()
    {
        // An engine whose primary input is a clip (the first role it declares), with a style from the library.
        var clips = new EngineDescriptor
        {
            Kind = "clip-style",
            Title = "Clip style",
            Description = "A clip styled frame by frame.",
            Stage = "frame",
            Inputs =
            [
                new() { Role = "video", Min = 1, Help = "The clip.", Accept = "video/mp4" },
                new() { Role = "style", Min = 1, Help = "The style.", Library = "styles" },
            ],
            Parameters = [],
            Outputs = [],
        };
        var entry = InboxConventions.Parse("clip-style/starry-night/cup.mp4", [.. Engines, clips], out _);
        Assert.NotNull(entry);
        Assert.Equal("video", entry.PrimaryRole);
        Assert.Equal("inbox/clip-style/starry-night/cup.mp4", Assert.Single(entry.Inputs["video"]));
        Assert.Equal("starry-night", Assert.Single(entry.Inputs["style"]));
        Assert.False(entry.Inputs.ContainsKey(EngineDescriptor.SourceRole));
        Assert.Equal(EngineDescriptor.SourceRole, InboxConventions.Parse("dream/cat.jpg", Engines, out _)!.PrimaryRole);
    }

    [Theory]
    [InlineData("dream/cat.jpg.json")]
    [InlineData("dream/.hidden")]
    [InlineData("cat.jpg")]
    [InlineData("dream/sub/cat.jpg")]
    [InlineData("style/cat.jpg")]
    [InlineData("other/x/cat.jpg")]
    [InlineData("dream/bad\u0001name.jpg")]
    public void Other_inbox_blobs_start_nothing(string blob)
    {
        Assert.Null(InboxConventions.Parse(blob, Engines, out var because));
        Assert.False(string.IsNullOrEmpty(because));
    }

    [Fact]
    public void Checkpoint_names_sort_in_render_order_and_round_trip()
    {
        CheckpointKey[] keys = [new(0, 1, 0), new(3, 1, 3), new(10, 1, 10), new(10, 2, 0), new(12, 2, 2), new(120, 3, 100)];
        var names = keys.Select(k => StorageLayout.Checkpoint("job-1", k).Name).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        foreach (var (key, name) in keys.Zip(names))
        {
            Assert.True(StorageLayout.TryParseCheckpoint(name, out var parsed));
            Assert.Equal(key, parsed);
        }
    }

    [Theory]
    [InlineData("uploads/a/b.png", true)]
    [InlineData("uploads/", false)]
    [InlineData("/b.png", false)]
    [InlineData("UP/b.png", false)]
    [InlineData("uploads/../x.png", false)]
    [InlineData("uploads/a//b.png", false)]
    public void Blob_references_are_checked(string value, bool valid) => Assert.Equal(valid, BlobRef.TryParse(value, out _));

    [Fact]
    public void Checkpoint_envelopes_round_trip_and_reject_foreign_bytes()
    {
        var progress = new Activities.ProgressSnapshot(2, 3, 4, 10, 14, 30, 1.5, false, 64, 48);
        var state = new byte[] { 1, 2, 3, 250 };
        var (back, bytes) = CheckpointStore.Decode(new BlobRef("jobs", "x"), CheckpointStore.Encode(progress, state));
        Assert.Equal(progress, back);
        Assert.Equal(state, bytes);
        Assert.Throws<InvalidDataException>(() => CheckpointStore.Decode(new BlobRef("jobs", "x"), [1, 2, 3]));
    }
}
