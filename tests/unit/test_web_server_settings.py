"""gunicorn's settings from the environment (qa_app/config.py, read by gunicorn.conf.py)."""

import os

import pytest

from qa_app.config import ConfigError, default_workers, load_web_server_settings


def test_defaults_listen_on_this_machine_only_with_workers_for_its_cores():
    settings = load_web_server_settings({})
    assert settings.bind == "127.0.0.1:8000"
    assert settings.timeout == 60
    assert settings.workers == default_workers(os.cpu_count())


@pytest.mark.parametrize(("cores", "workers"), [(None, 3), (1, 3), (2, 5), (4, 9), (64, 12)])
def test_two_workers_a_core_and_one_more_capped(cores, workers):
    assert default_workers(cores) == workers


def test_each_setting_is_taken_from_the_environment():
    settings = load_web_server_settings(
        {"QA_WEB_BIND": "unix:/run/qa/web.sock", "QA_WEB_WORKERS": "4", "QA_WEB_TIMEOUT": "90"}
    )
    assert (settings.bind, settings.workers, settings.timeout) == ("unix:/run/qa/web.sock", 4, 90)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"QA_WEB_WORKERS": "many"}, "QA_WEB_WORKERS must be a whole number, not 'many'"),
        ({"QA_WEB_WORKERS": "0"}, "QA_WEB_WORKERS must be at least 1"),
        ({"QA_WEB_TIMEOUT": "-5"}, "QA_WEB_TIMEOUT must be at least 1"),
        ({"QA_WEB_BIND": "8000"}, "QA_WEB_BIND must be HOST:PORT"),
    ],
)
def test_a_bad_value_names_the_setting(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_web_server_settings(environ)
