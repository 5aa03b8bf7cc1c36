using NeuralArt.Engine.Common;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Engine.Dream;
using NeuralArt.Contract;

namespace NeuralArt.Engine.Tests.Dream;

public class DreamSettingsTests
{
    [Fact]
    public void Empty_json_gives_valid_defaults()
    {
        var settings = DreamSettings.FromJson("");
        Assert.Equal(DreamSettings.DefaultOctaves, settings.Octaves);
        Assert.Null(settings.Layers);
        var recommended = new Dictionary<string, float> { ["mixed4"] = 2f };
        Assert.Equal(new TapWeight("mixed4", 2f), Assert.Single(settings.Taps(recommended)));
    }

    [Fact]
    public void Json_round_trips()
    {
        var settings = new DreamSettings { Layers = "layer3:1,layer4:0.5", Channels = [3, 9], Octaves = 3, Step = 0.02f, Seed = 42 };
        var json = settings.ToJson();
        Assert.Contains("\"octaveScale\"", json);
        var back = DreamSettings.FromJson(json);
        Assert.Equal(settings.Layers, back.Layers);
        Assert.Equal(settings.Channels, back.Channels);
        Assert.Equal(settings with { Channels = back.Channels }, back);
    }

    [Theory]
    [InlineData("{\"octaves\": 0}", "octaves")]
    [InlineData("{\"octaveScale\": 1.0}", "octaveScale")]
    [InlineData("{\"iterations\": -3}", "iterations")]
    [InlineData("{\"step\": 0}", "step")]
    [InlineData("{\"jitter\": 100000}", "jitter")]
    [InlineData("{\"tileSize\": 10}", "tileSize")]
    [InlineData("{\"maxSize\": 5}", "maxSize")]
    [InlineData("{\"layers\": \"layer3:abc\"}", "layers")]
    [InlineData("{\"layers\": \"layer3,layer3\"}", "layers")]
    [InlineData("{\"layers\": \"\"}", "layers")]
    [InlineData("{\"channels\": [1, 1]}", "channels")]
    [InlineData("{\"channels\": [-1]}", "channels")]
    [InlineData("{\"model\": \" \"}", "model")]
    [InlineData("{\"octaves\": \"four\"}", "octaves")]
    [InlineData("{\"octave\": 4}", "octave")]
    [InlineData("{not json", "parameters")]
    public void Bad_values_name_their_field(string json, string field)
    {
        // The path every request takes: the descriptor's check (ranges, types, choices), then the
        // settings' own rules (what the schema cannot state).
        var parameters = DreamSchema.Describe(["resnet18"], "resnet18", new EngineLimits());
        var ex = Assert.Throws<InvalidArtworkInputException>(() => DreamSettings.FromJson(ParameterSchema.Parse(json, parameters).ToJsonString()));
        Assert.Equal(field, ex.Field);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Tap_lists_parse_with_default_weights()
    {
        var taps = TapWeights.Parse(" layer3 , layer4:0.5,stem:-1 ");
        Assert.Equal(["layer3", "layer4", "stem"], taps.Select(t => t.Tap));
        Assert.Equal([1f, 0.5f, -1f], taps.Select(t => t.Weight));
        Assert.Equal("layer3:1,layer4:0.5,stem:-1", TapWeights.Format(taps));
    }
}
