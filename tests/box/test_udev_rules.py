"""Modem udev rules: readable, one stable AT-port link per modem, ModemManager kept off."""

from pathlib import Path

import pytest

from tests.box.udev_rules import RuleSyntaxError, parse_rules

RULES = Path(__file__).resolve().parents[2] / "systemd" / "udev"

# (vendor, product, AT interface) from the modems' USB compositions.
SUPPORTED = [
    ("1e0e", "9001", "02"),  # SIMCom SIM7600
    ("1e0e", "9011", "04"),  # SIMCom A7600E-H
    ("2c7c", "0125", "02"),  # Quectel EC25 / EG25-G
]


@pytest.fixture(scope="module")
def modem_rules():
    return parse_rules(RULES / "90-aspa-gsm-modem.rules")


@pytest.mark.parametrize(("vendor", "product", "interface"), SUPPORTED)
def test_each_modem_gets_a_stable_link_to_its_at_port(modem_rules, vendor, product, interface):
    rules = [r for r in modem_rules
             if r.matches("ATTRS", vendor, "idVendor") and r.matches("ATTRS", product, "idProduct")
             and "gsm-modem" in r.assigned("SYMLINK")]
    assert len(rules) == 1
    rule = rules[0]
    assert rule.matches("ENV", interface, "ID_USB_INTERFACE_NUM")
    assert set(rule.assigned("SYMLINK")) == {"gsm-modem", "gsm-modem-$env{ID_PATH_TAG}"}
    assert rule.assigned("GROUP") == ["dialout"]
    assert rule.assigned("MODE") == ["0660"]


@pytest.mark.parametrize(("vendor", "product", "interface"),
                         [("1e0e", "9001", "04"), ("2c7c", "0125", "01")])
def test_the_voice_port_of_each_modem_gets_its_own_link(modem_rules, vendor, product,
                                                        interface):
    rules = [r for r in modem_rules
             if r.matches("ATTRS", vendor, "idVendor") and r.matches("ATTRS", product, "idProduct")
             and "gsm-voice" in r.assigned("SYMLINK")]
    assert len(rules) == 1
    assert rules[0].matches("ENV", interface, "ID_USB_INTERFACE_NUM")
    assert rules[0].assigned("GROUP") == ["dialout"]


@pytest.mark.parametrize(("vendor", "product", "interface"), SUPPORTED)
def test_modem_manager_ignores_every_interface(modem_rules, vendor, product, interface):
    ignoring = [
        r for r in modem_rules
        if r.matches("ATTRS", vendor, "idVendor") and r.matches("ATTRS", product, "idProduct")
        and r.assigned("ENV", "ID_MM_DEVICE_IGNORE") == ["1"]
    ]
    assert ignoring, f"{vendor}:{product} would be probed by ModemManager"
    assert all(not r.matches("ENV", interface, "ID_USB_INTERFACE_NUM") for r in ignoring)


def test_rules_file_sorts_after_the_one_that_sets_the_interface_number():
    assert "90-aspa-gsm-modem.rules" > "60-serial.rules"


@pytest.mark.parametrize("rules_file", ["90-aspa-gsm-modem.rules", "99-gsm-modem-uart.rules"])
def test_every_at_port_link_names_its_model_for_the_driver(rules_file):
    named = [r for r in parse_rules(RULES / rules_file)
             if any(link.startswith("gsm-modem") for link in r.assigned("SYMLINK"))]
    assert named
    for rule in named:
        assert rule.assigned("ENV", "ASPA_MODEM_MODEL") in (["sim7600"], ["sim800"], ["ec25"])


def test_uart_rule_links_the_mini_uart_of_the_40_pin_header():
    (rule,) = [r for r in parse_rules(RULES / "99-gsm-modem-uart.rules") if r.assigned("SYMLINK")]
    for device in ("3f215040.serial", "fe215040.serial"):  # Pi 3 / Zero 2 W, Pi 4
        assert rule.matches("KERNELS", device)
    assert rule.assigned("SYMLINK") == ["gsm-modem-uart"]
    assert rule.assigned("ENV", "ASPA_MODEM_MODEL") == ["sim800"]


def test_the_gpio_chips_are_the_gpio_groups():
    (rule,) = parse_rules(RULES / "60-aspa-gpio.rules")
    assert rule.matches("SUBSYSTEM", "gpio") and rule.matches("KERNEL", "gpiochip0")
    assert rule.assigned("GROUP") == ["gpio"] and rule.assigned("MODE") == ["0660"]


def test_every_rules_file_parses():
    files = sorted(RULES.glob("*.rules"))
    assert len(files) == 3
    for path in files:
        assert parse_rules(path)


@pytest.mark.parametrize("bad", [
    'ATTRS{idVendor}=="1e0e", SYMLINK+="x" GROUP="dialout"',  # missing comma
    'ATTRS{idVendor}=="1e0e", MODE=0660',  # unquoted value
    'GOTO="nowhere"',  # GOTO without LABEL
    'OWNER=="root"',  # OWNER is assignment only
    'ATTRS{idVendor}=="1e0e", \\',  # continuation at end
])
def test_parser_rejects_what_udev_would_misread(tmp_path, bad):
    path = tmp_path / "bad.rules"
    path.write_text(bad + "\n")
    with pytest.raises(RuleSyntaxError):
        parse_rules(path)
