import analysis


def test_public_names_resolve():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        analysis.nope  # noqa: B018
