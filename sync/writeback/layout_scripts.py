"""The fields package's install and uninstall scripts: detail panel, list columns, filters.

SuiteCRM 7 has no extension point for view definitions, and copying a ``listviewdefs.php``
would overwrite the site's own layout. So ``post_execute`` does what Studio's save actions do
(``modules/ModuleBuilder/controller.php``): for each module it loads the deployed layout with
``ParserFactory::getParser``, changes only SuitePulse's entries and deploys it with
``handleSave(false)`` (false: take the parser's defs, not Studio's form), which writes
``custom/modules/<Module>/metadata/<file>`` and clears the module's template cache:

* ``MB_DETAILVIEW`` (``GridLayoutMetaDataParser``): one panel ``LBL_SUITEPULSE_PANEL``;
* ``MB_LISTVIEW`` (``ListLayoutMetaDataParser``, keys lower-cased on load, upper-cased on save):
  a column per field, ``default`` true (shown) or false (available), as ``list_column`` says;
  a column already there keeps its place and width;
* ``MB_BASICSEARCH`` and ``MB_ADVANCEDSEARCH`` (``SearchViewMetaDataParser``, both in
  ``searchdefs.php``): a search field per field. SuiteCRM 7.10+ shows the basic search as the
  list's quick filter and the advanced search in its filter dialog; SuiteCRM 8 reads the same
  legacy files for its columns and filters.

The fields themselves are installed after ``post_execute`` runs, so entries are full
definitions (``sync.writeback.layout_defs``); the parsers keep them as they are. The search
needs no ``SearchFields.php`` entry: ``SearchForm::populateFromArray`` adds any field of the
bean that the form sends, and Studio writes one only for range search, which these fields
do not enable.

What uninstall restores: before its first change the install notes, per layout file, what the
site's custom file held (or that there was none), and after its changes the file's md5, in
``custom/modules/<Module>/metadata/suitepulse_layout.json``. Uninstall gives a file nobody has
changed since back byte for byte (or removes it: the core layout again); a file changed since
keeps those changes and loses only SuitePulse's entries, through the same parsers. Installing
again (a new version over the old) keeps the first notes, so uninstall still goes back to the
layout from before SuitePulse.
"""

from __future__ import annotations

from collections.abc import Sequence

from sync.writeback.fieldspec import FieldSpec
from sync.writeback.layout_defs import list_column, panel_field, search_field
from sync.writeback.php import GENERATED_HEADER, php_assign

__all__ = ["PANEL_KEY", "install_script", "uninstall_script"]

PANEL_KEY = "LBL_SUITEPULSE_PANEL"
_GUARD = (
    "if (!defined('sugarEntry') || !sugarEntry) {\n"
    "    die('Not A Valid Entry Point');\n"
    "}\n\n"
    "require_once 'modules/ModuleBuilder/parsers/ParserFactory.php';\n"
    "require_once 'include/TemplateHandler/TemplateHandler.php';\n\n"
)
_LAYOUT_FILES = ["detailviewdefs.php", "listviewdefs.php", "searchdefs.php"]

_INSTALL = """
foreach ($suitepulseLayouts as $suitepulseModule => $suitepulseLayout) {
    $suitepulseDir = 'custom/modules/' . $suitepulseModule . '/metadata/';
    $suitepulseStateFile = $suitepulseDir . 'suitepulse_layout.json';
    $suitepulseState = file_exists($suitepulseStateFile)
        ? json_decode(file_get_contents($suitepulseStateFile), true) : null;
    if (is_array($suitepulseState) && array_key_exists('had_custom_layout', $suitepulseState)) {
        // noted by an earlier package, which changed only the detail view and kept no copy
        $suitepulseState = ['files' => ['detailviewdefs.php' => [
            'before' => $suitepulseState['had_custom_layout'] ? false : null,
        ]]];
    }
    if (!is_array($suitepulseState) || !isset($suitepulseState['files'])) {
        $suitepulseState = ['files' => []];
    }
    foreach ($suitepulseLayoutFiles as $suitepulseFile) {
        if (!array_key_exists($suitepulseFile, $suitepulseState['files'])) {
            $suitepulsePath = $suitepulseDir . $suitepulseFile;
            $suitepulseState['files'][$suitepulseFile] = ['before' => file_exists($suitepulsePath)
                ? base64_encode(file_get_contents($suitepulsePath)) : null];
        }
    }

    $suitepulseParser = ParserFactory::getParser(MB_DETAILVIEW, $suitepulseModule);
    $suitepulseColumns = max(1, (int) $suitepulseParser->getMaxColumns());
    $suitepulseParser->_viewdefs['panels'][$suitepulsePanelKey] =
        array_chunk($suitepulseLayout['panel'], $suitepulseColumns);
    $suitepulseParser->_viewdefs['templateMeta']['tabDefs'][$suitepulsePanelKey] = [
        'newTab' => false,
        'panelDefault' => 'expanded',
    ];
    $suitepulseParser->handleSave(false);

    $suitepulseParser = ParserFactory::getParser(MB_LISTVIEW, $suitepulseModule);
    foreach ($suitepulseLayout['columns'] as $suitepulseName => $suitepulseColumn) {
        $suitepulseKey = strtolower($suitepulseName);
        $suitepulseOld = $suitepulseParser->_viewdefs[$suitepulseKey] ?? null;
        $suitepulseParser->_viewdefs[$suitepulseKey] = is_array($suitepulseOld)
            ? array_merge($suitepulseOld, ['default' => $suitepulseColumn['default']])
            : $suitepulseColumn;
    }
    $suitepulseParser->handleSave(false);

    foreach ([MB_BASICSEARCH, MB_ADVANCEDSEARCH] as $suitepulseView) {
        $suitepulseParser = ParserFactory::getParser($suitepulseView, $suitepulseModule);
        foreach ($suitepulseLayout['filters'] as $suitepulseName => $suitepulseFilter) {
            $suitepulseKey = strtolower($suitepulseName);
            if (!isset($suitepulseParser->_viewdefs[$suitepulseKey])) {
                $suitepulseParser->_viewdefs[$suitepulseKey] = $suitepulseFilter;
            }
        }
        $suitepulseParser->handleSave(false);
    }

    foreach ($suitepulseLayoutFiles as $suitepulseFile) {
        $suitepulsePath = $suitepulseDir . $suitepulseFile;
        $suitepulseState['files'][$suitepulseFile]['installed_md5'] =
            file_exists($suitepulsePath) ? md5_file($suitepulsePath) : null;
    }
    @mkdir($suitepulseDir, 0775, true);
    file_put_contents($suitepulseStateFile, json_encode($suitepulseState));
}
"""

_UNINSTALL = """
// Gives a layout file back as it was before the install when nobody changed it since; false
// when SuitePulse's entries must be taken out of it instead.
$suitepulseRestore = function ($path, $noted) {
    if (!file_exists($path)) {
        return true;
    }
    if (!is_array($noted) || !isset($noted['installed_md5'])
        || md5_file($path) !== $noted['installed_md5']) {
        return false;
    }
    if ($noted['before'] === null) {
        unlink($path);
        return true;
    }
    if (is_string($noted['before'])) {
        file_put_contents($path, base64_decode($noted['before']));
        return true;
    }
    return false;
};

foreach ($suitepulseLayouts as $suitepulseModule => $suitepulseLayout) {
    $suitepulseDir = 'custom/modules/' . $suitepulseModule . '/metadata/';
    $suitepulseStateFile = $suitepulseDir . 'suitepulse_layout.json';
    $suitepulseState = file_exists($suitepulseStateFile)
        ? json_decode(file_get_contents($suitepulseStateFile), true) : null;
    $suitepulseNoted = is_array($suitepulseState) && isset($suitepulseState['files'])
        ? $suitepulseState['files'] : [];

    if (!$suitepulseRestore($suitepulseDir . 'detailviewdefs.php',
                            $suitepulseNoted['detailviewdefs.php'] ?? null)) {
        $suitepulseParser = ParserFactory::getParser(MB_DETAILVIEW, $suitepulseModule);
        foreach ([$suitepulsePanelKey, strtolower($suitepulsePanelKey)] as $suitepulseKey) {
            unset($suitepulseParser->_viewdefs['panels'][$suitepulseKey]);
            unset($suitepulseParser->_viewdefs['templateMeta']['tabDefs'][strtoupper($suitepulseKey)]);
        }
        $suitepulseParser->handleSave(false);
    }
    if (!$suitepulseRestore($suitepulseDir . 'listviewdefs.php',
                            $suitepulseNoted['listviewdefs.php'] ?? null)) {
        $suitepulseParser = ParserFactory::getParser(MB_LISTVIEW, $suitepulseModule);
        foreach ($suitepulseLayout['columns'] as $suitepulseName => $suitepulseColumn) {
            unset($suitepulseParser->_viewdefs[strtolower($suitepulseName)]);
        }
        $suitepulseParser->handleSave(false);
    }
    if (!$suitepulseRestore($suitepulseDir . 'searchdefs.php',
                            $suitepulseNoted['searchdefs.php'] ?? null)) {
        foreach ([MB_BASICSEARCH, MB_ADVANCEDSEARCH] as $suitepulseView) {
            $suitepulseParser = ParserFactory::getParser($suitepulseView, $suitepulseModule);
            foreach ($suitepulseLayout['filters'] as $suitepulseName => $suitepulseFilter) {
                unset($suitepulseParser->_viewdefs[strtolower($suitepulseName)]);
            }
            $suitepulseParser->handleSave(false);
        }
    }
    TemplateHandler::clearCache($suitepulseModule);

    // SuiteCRM writes one vardef override per field at install; none may outlive it
    foreach ($suitepulseLayout['overrides'] as $suitepulseFile) {
        if (file_exists($suitepulseFile)) {
            unlink($suitepulseFile);
        }
    }
    if (file_exists($suitepulseStateFile)) {
        unlink($suitepulseStateFile);
    }
}
"""


def install_script(specs: Sequence[FieldSpec]) -> str:
    """``scripts/add_layout.php`` (``post_execute``): panel, list columns and search fields."""
    return GENERATED_HEADER + _GUARD + _data(specs) + _INSTALL


def uninstall_script(specs: Sequence[FieldSpec]) -> str:
    """``scripts/remove_layout.php`` (``pre_uninstall``): takes out what the install added."""
    return GENERATED_HEADER + _GUARD + _data(specs) + _UNINSTALL


def _data(specs: Sequence[FieldSpec]) -> str:
    layouts = {
        module: {
            "panel": [panel_field(spec) for spec in mine],
            "columns": {spec.name: list_column(spec) for spec in mine},
            "filters": {spec.name: search_field(spec) for spec in mine},
            "overrides": [f"custom/Extension/modules/{module}/Ext/Vardefs/"
                          f"_override_sugarfield_{spec.name}.php" for spec in mine],
        }
        for module in sorted({spec.module for spec in specs})
        for mine in [[spec for spec in specs if spec.module == module]]
    }
    return (php_assign("$suitepulsePanelKey", PANEL_KEY)
            + php_assign("$suitepulseLayoutFiles", _LAYOUT_FILES)
            + php_assign("$suitepulseLayouts", layouts))
